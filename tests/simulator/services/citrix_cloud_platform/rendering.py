"""Shapes of the ``cloud_platform`` service that differ from what it stores: a notification as the
listing shows it."""

LISTED_FIELDS = ('title', 'description')


def listed_notification(item, listed_ids=()):
    """A stored notification as ``GET .../notifications`` lists it: ``title`` and ``description`` (of its
    first content entry) and ``createdDate`` at the top level, the shape public scripts read; the id
    fields named in ``listed_ids`` (``eventId``, ``externalId``) only when a test asks for them."""
    first = (item.get('content') or [{}])[0]
    listed = dict((field, first.get(field)) for field in LISTED_FIELDS)
    listed['createdDate'] = item.get('createdDate')
    for field in listed_ids:
        listed[field] = item.get(field)
    return listed
