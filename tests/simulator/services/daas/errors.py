"""Errors of the DaaS API: ``ErrorData`` bodies (components.schemas.ErrorData) and seed 001's bare 500
for a request without ``Citrix-CustomerId``."""

import uuid

from tests.simulator.base import Reply, Response


def error_data(status, sdk_error_id, message, error_type=None, details=None):
    """An ``ErrorData`` reply (components.schemas.ErrorData)."""
    return Response(status, {'ErrorType': error_type or sdk_error_id, 'SdkErrorId': sdk_error_id,
                             'ErrorMessage': message, 'ErrorDetails': details, 'SupportLink': None,
                             'ErrorReportXml': None, 'ErrorReport': None})


def fail(status, sdk_error_id, message, **kwargs):
    raise Reply(error_data(status, sdk_error_id, message, **kwargs))


def missing_customer_reply():
    """Seed 001: DaaS answers a request without Citrix-CustomerId with a bare 500."""
    return Response(500, {'activityId': str(uuid.uuid4()), 'message': 'Internal server error', 'statusCode': 500})
