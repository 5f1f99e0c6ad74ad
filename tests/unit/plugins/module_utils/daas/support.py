"""Helpers of the DaaS unit tests."""

import json

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.responses import extract_api_error

ALL_ACTIONS = ['PowerOn', 'PowerOff', 'Shutdown', 'Restart', 'Reset', 'SuspendResume']


def machine(power_state='On', pending=False, actions=None, sessions=0, **extra):
    record = {'Id': extra.pop('Id', 'id-1'), 'Name': extra.pop('Name', 'CORP\\PC-1'), 'PowerState': power_state,
              'PowerActionPending': pending, 'SupportedPowerActions': ALL_ACTIONS if actions is None else actions,
              'SessionCount': sessions}
    record.update(extra)
    return record


class Answer:
    """A ``requests.Response`` as far as the DaaS client reads one."""

    def __init__(self, status_code=200, headers=None, body=None):
        self.status_code = status_code
        self.headers = dict(headers or {})
        self.body = body


class Http:
    @staticmethod
    def redact(text):
        return text

    @staticmethod
    def decode_json(response, what=None):
        return response.body


def default_answer(path, method, body):
    """202 with a job named after the machine (``/Machines/<id>/...``)."""
    return 202, {'Location': 'https://x/Jobs/job-' + path.split('/')[2]}, None


class FakeSite:
    """A DaaS site without sockets for the batch writer: ``answer(write_path, method, body)`` gives each item's
    ``(code, headers, body)`` (default 202 with a job); ``post_errors`` fail the batch POSTs in turn (an
    exception, or None for a normal answer); ``job_status`` the status of every Batch job. Requests sent one by
    one (no ``$batch``) are answered by ``answer`` too, unless ``batch_status`` (404, 405) refuses ``$batch``."""

    def __init__(self, answer=None, post_errors=(), job_status='Complete', batch_status=None, running=()):
        self.answer = answer or default_answer
        self.post_errors = list(post_errors)
        self.job_status = job_status
        self.batch_status = batch_status
        self.running = [(job_id, 'InProgress') for job_id in running]
        self.batches = []  # the Items of every batch POST
        self.direct = []   # (method, path) of every request sent on its own
        self.results = {}
        self.http = Http()

    def token(self):
        return 'tok-1'

    def batch_url(self, path):
        return path

    @staticmethod
    def results_of(body, what):
        return body['Items']

    def request(self, method, path, what, params=None, json_body=None, expected=None, headers=None):
        if path == '/$batch':
            self.batches.append(json_body['Items'])
            if self.batch_status:
                raise errors.error_class_for_status(self.batch_status)('Could not ' + what, status=self.batch_status)
            error = self.post_errors.pop(0) if self.post_errors else None
            if error is not None:
                raise error
            job_id = 'batch-%d' % len(self.batches)
            self.results[job_id] = [self._item(item) for item in json_body['Items']]
            return Answer(202, {'Location': 'https://x/Jobs/' + job_id})
        self.direct.append((method, path))
        code, item_headers, body = self.answer(path, method, json_body)
        if code >= 400:
            api_code, message = extract_api_error(body)
            raise errors.error_class_for_status(code)('Could not ' + what, status=code, code=api_code,
                                                      api_message=message)
        return Answer(code, item_headers)

    def _item(self, item):
        path = item['RelativeUrl'].split('?', 1)[0]
        code, headers, body = self.answer(path, item['Method'], item.get('Body'))
        return {'Reference': item['Reference'], 'Code': code,
                'Headers': [{'Name': k, 'Value': v} for k, v in (headers or {}).items()],
                'Body': body if body is None or isinstance(body, str) else json.dumps(body)}

    def jobs(self):
        """The Batch jobs; those of ``running`` (lost batches) show InProgress the first time, then Complete."""
        listed = [{'Id': job_id, 'Type': 'Batch', 'Status': self.job_status} for job_id in self.results]
        listed += [{'Id': job_id, 'Type': 'Batch', 'Status': status} for job_id, status in self.running]
        self.running = [(job_id, 'Complete') for job_id, _status in self.running]
        return listed

    def job(self, job_id):
        return {'Id': job_id, 'Type': 'Batch', 'Status': self.job_status}

    def batch_results(self, job_id):
        return self.results[job_id]
