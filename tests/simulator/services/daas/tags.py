"""Tags of a DaaS site (``/Tags``) and the tags of machines, catalogs and delivery groups.

A tag is a site object (``Id``, ``Name``, ``Description``); objects hold the ids of their tags, in the order
they were added. Names are unique in a site, case-insensitively. Functions take the
:class:`~.estate.Estate` and a site; the caller holds the simulator's lock.
"""

from urllib.parse import unquote

from tests.simulator.services.daas.errors import fail

# Objects that carry tags: (site attribute, TagResponseModel count field).
TAGGED = (('machines', 'NumMachines'), ('catalogs', 'NumMachineCatalogs'), ('groups', 'NumDeliveryGroups'))


def find_tag(site, key, required=True):
    """A tag by id or name (case-insensitive); a 404 ``UnknownTag`` when ``required``, else None."""
    key = unquote(str(key))
    tag = site.tags.get(key)
    if tag is None:
        tag = next((t for t in site.tags.values() if t['Name'].lower() == key.lower()), None)
    if tag is None and required:
        fail(404, 'UnknownTag', 'Tag %s was not found.' % key)
    return tag


def create_tag(estate, site, name, description=None):
    """``POST /Tags``: a new tag; an existing name is a 409 ``TagAlreadyExists``."""
    name = str(name or '').strip()
    if not name:
        fail(400, 'InvalidArgument', 'Name is required.')
    if find_tag(site, name, required=False) is not None:
        fail(409, 'TagAlreadyExists', 'A tag named %s already exists.' % name)
    tag = {'Id': estate.new_id(), 'Uid': estate.next_uid(), 'Name': name, 'Description': description}
    site.tags[tag['Id']] = tag
    return tag


def ensure_tag(estate, site, name):
    """The tag named ``name``, created when missing (the simulator's own helpers and ``CreateTags``)."""
    return find_tag(site, name, required=False) or create_tag(estate, site, name)


def delete_tag(site, key):
    """``DELETE /Tags/{nameOrId}``: the tag and its use on every object of the site."""
    tag = find_tag(site, key)
    for attribute, _count in TAGGED:
        for obj in getattr(site, attribute).values():
            if tag['Id'] in obj['_tags']:
                obj['_tags'].remove(tag['Id'])
    del site.tags[tag['Id']]


def tag_names(site, obj):
    return [site.tags[t]['Name'] for t in obj['_tags'] if t in site.tags]


def add_tag(site, obj, key):
    """``POST .../Tags/{tagNameOrId}``: the tag must exist; adding it twice changes nothing."""
    tag = find_tag(site, key)
    if tag['Id'] not in obj['_tags']:
        obj['_tags'].append(tag['Id'])


def remove_tag(site, obj, key):
    """``DELETE .../Tags/{tagNameOrId}``: the tag must exist; an object without it is left alone."""
    tag = find_tag(site, key)
    if tag['Id'] in obj['_tags']:
        obj['_tags'].remove(tag['Id'])


def set_tags(estate, site, obj, body):
    """``PUT .../Tags`` with a ``TagsRequestModel``: ``CreateTags`` are created, ``DeleteTags`` deleted from
    the site, and the object's tags become exactly ``Items`` plus the created ones. Every reference is
    checked before anything changes."""
    if not isinstance(body, dict):
        fail(400, 'InvalidArgument', 'The request body must be a TagsRequestModel object.')
    items = body.get('Items') or []
    creates = body.get('CreateTags') or []
    deletes = body.get('DeleteTags') or []
    if not all(isinstance(v, list) for v in (items, creates, deletes)):
        fail(400, 'InvalidArgument', 'Items, CreateTags and DeleteTags must be lists.')
    for create in creates:
        if not isinstance(create, dict) or not str(create.get('Name') or '').strip():
            fail(400, 'InvalidArgument', 'Each CreateTags entry needs a Name.')
    wanted = [find_tag(site, key) for key in items]
    doomed = [find_tag(site, key) for key in deletes]
    created = [ensure_tag(estate, site, c['Name']) for c in creates]
    for tag in doomed:
        delete_tag(site, tag['Id'])
    ids = []
    for tag in wanted + created:
        if tag['Id'] in site.tags and tag['Id'] not in ids:
            ids.append(tag['Id'])
    obj['_tags'] = ids


def tagged(site, tag, attribute):
    """The objects (``machines``, ``catalogs`` or ``groups``) of ``site`` that carry ``tag``, in order."""
    return [obj for obj in getattr(site, attribute).values() if tag['Id'] in obj['_tags']]


def tag_counts(site):
    """``{tag id: {count field: n}}`` over every tagged object of the site, in one pass."""
    counts = dict((tag_id, dict((field, 0) for _a, field in TAGGED)) for tag_id in site.tags)
    for attribute, field in TAGGED:
        for obj in getattr(site, attribute).values():
            for tag_id in obj['_tags']:
                if tag_id in counts:
                    counts[tag_id][field] += 1
    return counts
