#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: opencitrix.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: citrix_cloud_notification
short_description: Send a notification to Citrix Cloud administrators, unless it was sent already
version_added: 0.1.0
description:
  - Sends a notification that administrators see under the bell icon of the Citrix Cloud console (and by
    email, if they turned that on), through the Citrix Cloud notifications API
    (C(POST https://notifications.citrixworkspacesapi.net/{customerId}/notifications/items), the region's
    Workspaces host; or C(POST https://api.cloud.com/notifications/) with O(endpoint=gateway)).
  - Every notification carries an event ID, O(event_id) when given, else a UUIDv5 derived from
    O(destination_admin), O(component), the content (O(title), O(description), O(detail_uri),
    O(language_tag) or O(content)) and O(dedup_key). It is sent as C(eventId) and as C(externalId).
  - Before sending, the module reads the notifications Citrix Cloud lists
    (C(GET https://notifications.citrixworkspacesapi.net/{customerId}/notifications), every page), and
    sends nothing when that listing shows the notification as sent already. Citrix documents sending but
    not this listing, nor whether listed notifications carry their event ID, nor whether the service
    refuses a second notification with the same event ID; so what "sent already" can mean depends on
    what the listing shows, exactly as follows.
  - When listed items carry event IDs (C(eventId) or C(externalId)), sent already means that a listed
    notification has this event ID. Without O(event_id) and O(dedup_key), the same content to the same
    destination and component is therefore sent once while Citrix Cloud keeps it (90 days).
  - When listed items carry no event IDs and neither O(event_id) nor O(dedup_key) is set, sent already
    means that a listed notification has the same title and description (of any of the content entries)
    and was created within the last O(lookback_hours) hours (any listed notification when not set).
  - When listed items carry no event IDs and O(event_id) or O(dedup_key) is set, nothing can be
    verified. The notification is sent, with a warning, on every run.
  - When the listing is refused (HTTP 401 after a new token, 403, 404 or 405), the task does not fail;
    the notification is sent and the task's result carries exactly one warning saying so (one per host
    the task runs on, however many pages or retries there were; in check mode it says the notification
    would be sent). As nothing then shows it as sent, every run sends it again, with its warning. Other
    failures of the listing (connection errors, server errors after the transport's retries, a malformed
    page) fail the task before anything is sent, so that a new run can look again instead of sending
    blind.
  - Nothing makes two runs at the same time safe. The service is not known to refuse a repeated event
    ID, so two tasks that look up at the same moment both send. Run the task once per play
    (C(run_once)).
  - A notice that should be sent again on a schedule (every night, every maintenance window) puts
    something that changes, such as the date, into its title or description (which works with either
    kind of listing), or passes it as O(dedup_key) (which is verified only where the listing carries
    event IDs).
  - Values are checked before anything is sent, so a wrong severity, an empty title or a malformed
    language tag fails without a request.
author:
  - opencitrix maintainers (@opencitrix)
requirements:
  - requests
options:
  title:
    description:
      - Title of the notification, for a notification in one language. Requires O(description).
      - Use O(content) instead for several languages.
    type: str
  description:
    description:
      - Text of the notification, for a notification in one language.
    type: str
  detail_uri:
    description:
      - Absolute URL with more details (for example the change ticket), for a notification in one language.
    type: str
  language_tag:
    description:
      - Language of O(title) and O(description), as a language tag such as V(en-US), V(de-DE) or V(ja).
      - Defaults to V(en-US).
    type: str
  content:
    description:
      - The notification in one or more languages. Mutually exclusive with O(title), O(description),
        O(detail_uri) and O(language_tag).
    type: list
    elements: dict
    suboptions:
      language_tag:
        description: Language of this entry, as a language tag such as V(en-US).
        type: str
        default: en-US
      title:
        description: Title in this language.
        type: str
        required: true
      description:
        description: Text in this language.
        type: str
        required: true
      detail_uri:
        description: Absolute URL with more details.
        type: str
  destination_admin:
    description:
      - Who receives the notification. V(*) sends it to every administrator of the customer; otherwise
        the identifier of one administrator as Citrix Cloud knows them.
    type: str
    default: '*'
  component:
    description:
      - Name of the component the notification is about, shown as its source in the console.
    type: str
    default: Citrix Cloud
  severity:
    description:
      - How serious the event is.
    type: str
    choices: [Information, Warning, Critical]
    default: Information
  priority:
    description:
      - How urgently administrators should look at it.
    type: str
    choices: [Low, Normal, High]
    default: Normal
  created_date:
    description:
      - When the event happened, as an RFC 3339 date and time with an offset (for example
        V(2026-11-23T03:00:00Z)). Defaults to now. Not part of the derived event ID.
    type: str
  event_id:
    description:
      - Event ID (a GUID) of the notification, to control identity yourself. When omitted, it is derived as
        described above.
    type: str
  dedup_key:
    description:
      - Extra text that goes into the derived event ID, so the same content can be sent again under a new
        key, for example today's date for a daily notice (see the examples). Ignored when O(event_id) is set.
      - With a listing whose items carry no event IDs, a notification with a O(dedup_key) cannot be
        found again and is sent on every run, with a warning (see the description).
    type: str
    default: ''
  lookback_hours:
    description:
      - When the listing carries no event IDs and neither O(event_id) nor O(dedup_key) is set, only
        listed notifications created within this many hours count as the same notification. When not set,
        every listed notification does (Citrix Cloud keeps them for 90 days).
    type: float
  endpoint:
    description:
      - Where notifications are listed and sent. V(workspaces) uses the region's Citrix Workspaces
        notifications host (C(https://notifications.citrixworkspacesapi.net/{customerId}/notifications),
        or O(workspaces_api_url)); V(gateway) the API gateway (C(https://api.cloud.com/notifications/) for
        O(region=global), or O(api_url)) with the customer ID in the C(Citrix-CustomerId) header, as
        Citrix's newer documentation shows.
    type: str
    choices: [workspaces, gateway]
    default: workspaces
extends_documentation_fragment:
  - opencitrix.automation.citrix_cloud
  - opencitrix.automation.transport
  - opencitrix.automation.attributes
  - opencitrix.automation.attributes.citrix_cloud
attributes:
  check_mode:
    support: full
    details: Reads the listing and returns the notification it would send; sends nothing.
  diff_mode:
    support: full
    details: Shows the notification that is sent (before is empty), or the one already there.
notes:
  - Sent notifications cannot be changed. When the notification found was sent with another severity,
    priority, destination or component (where the listing shows them), the module warns and sends nothing.
  - Citrix Cloud deletes notifications after 90 days; after that, the same notification would be sent again.
'''

EXAMPLES = r'''
- name: Tell every administrator that the maintenance window is over
  opencitrix.automation.citrix_cloud_notification:
    title: Maintenance finished
    description: All Citrix DaaS machines were rebooted and are registered again.
    detail_uri: https://tickets.example.com/CHG0042
    severity: Information
  run_once: true

- name: A nightly notice, sent once per night however often the job runs
  opencitrix.automation.citrix_cloud_notification:
    title: "Nightly image update {{ now(utc=true).strftime('%Y-%m-%d') }}"
    description: "{{ updated | length }} machine catalogs were updated."
    component: Image pipeline
    severity: Warning
    priority: High
    lookback_hours: 24
  run_once: true

- name: Through the API gateway, as Citrix's newer documentation shows
  opencitrix.automation.citrix_cloud_notification:
    title: Certificate renewed
    description: The NetScaler Gateway certificate was renewed.
    endpoint: gateway
    region: global

- name: The same notice in two languages
  opencitrix.automation.citrix_cloud_notification:
    content:
      - language_tag: en-US
        title: Planned outage tonight
        description: Desktops are unavailable from 22:00 to 23:00 UTC.
      - language_tag: de-DE
        title: Geplante Unterbrechung heute Nacht
        description: Desktops sind von 22:00 bis 23:00 UTC nicht erreichbar.
    dedup_key: outage-2026-11-23
'''

RETURN = r'''
event_id:
  description: Event ID of the notification (given, or derived from its content and O(dedup_key)).
  returned: success
  type: str
  sample: 3f1c8a0e-6d0b-5a43-9a0d-7c2a1b9e4f11
matched_by:
  description:
    - How the notification was found among the listed ones (V(eventId), V(externalId), or V(content) for
      title and description); null when it was not found (and sent, or in check mode would be sent).
  returned: success
  type: str
  sample: externalId
notification:
  description:
    - The notification as Citrix Cloud answered the send, with keys in snake_case; when it had been sent
      already, the listed one that matched (as the listing shows it, which may be only C(title),
      C(description) and C(created_date)); in check mode, the one that would be sent.
  returned: success
  type: dict
  sample:
    destination_admin: '*'
    component: Citrix Cloud
    created_date: '2026-11-23T03:00:00.000Z'
    categories: null
    severity: Information
    event_id: 3f1c8a0e-6d0b-5a43-9a0d-7c2a1b9e4f11
    priority: Normal
    content:
      - language_tag: en-US
        title: Maintenance finished
        description: All Citrix DaaS machines were rebooted and are registered again.
        detail_uri: https://tickets.example.com/CHG0042
    data: null
    external_id: 3f1c8a0e-6d0b-5a43-9a0d-7c2a1b9e4f11
    suppress_email: false
'''

from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.client import (
    CloudClient, cloud_argument_spec,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.citrix_cloud.notifications import (
    ENDPOINTS, PRIORITIES, SEVERITIES, Notifications, build_notification,
)
from ansible_collections.opencitrix.automation.plugins.module_utils.module import CitrixModule, snake_case

SINGLE_LANGUAGE = ('title', 'description', 'detail_uri', 'language_tag')


def main():
    module = CitrixModule(
        argument_spec=dict(
            title=dict(type='str'),
            description=dict(type='str'),
            detail_uri=dict(type='str'),
            language_tag=dict(type='str'),
            content=dict(type='list', elements='dict', options=dict(
                language_tag=dict(type='str', default='en-US'),
                title=dict(type='str', required=True),
                description=dict(type='str', required=True),
                detail_uri=dict(type='str'),
            )),
            destination_admin=dict(type='str', default='*'),
            component=dict(type='str', default='Citrix Cloud'),
            severity=dict(type='str', default='Information', choices=list(SEVERITIES)),
            priority=dict(type='str', default='Normal', choices=list(PRIORITIES)),
            created_date=dict(type='str'),
            event_id=dict(type='str'),
            dedup_key=dict(type='str', default='', no_log=False),
            lookback_hours=dict(type='float'),
            endpoint=dict(type='str', default='workspaces', choices=list(ENDPOINTS)),
        ),
        connection_spec=cloud_argument_spec(),
        mutually_exclusive=[('content', option) for option in SINGLE_LANGUAGE],
        required_one_of=[('content', 'title')],
        required_together=[('title', 'description')],
    )
    params = module.params
    content = params['content'] or [dict((option, params[option]) for option in SINGLE_LANGUAGE)]
    with module.handle_errors():
        body = build_notification(
            content, destination_admin=params['destination_admin'], component=params['component'],
            severity=params['severity'], priority=params['priority'], created_date=params['created_date'],
            event_id=params['event_id'], dedup_key=params['dedup_key'])
        client = CloudClient.from_params(params, redactor=module.redactor, log=module.debug_log)
        change = Notifications(client, params['endpoint']).ensure_sent(
            body, explicit_key=bool(params['event_id'] or params['dedup_key']),
            lookback_hours=params['lookback_hours'], check_mode=module.check_mode)
    module.exit_change(change, 'notification', view=snake_case, event_id=body['eventId'])


if __name__ == '__main__':
    main()
