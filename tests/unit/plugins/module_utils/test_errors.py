from ansible_collections.opencitrix.automation.plugins.module_utils import errors


def test_renders_one_line_with_everything_a_person_needs():
    err = errors.AuthenticationError('Could not sign in', status=400, code='invalid_client',
                                     api_message='Invalid client id\nor client secret.', method='POST',
                                     url='https://api-us.cloud.com/t', hint='check client_secret')
    assert str(err) == ('Could not sign in: invalid_client: Invalid client id or client secret. '
                        '(HTTP 400, POST https://api-us.cloud.com/t); check client_secret')


def test_redacted_rewrites_fields():
    err = errors.ApiError('Could not x', api_message='token tok123456 bad')
    err.redacted(lambda s: s.replace('tok123456', '***'))
    assert 'tok123456' not in str(err) and 'token *** bad' in str(err)


def test_status_classes():
    assert errors.error_class_for_status(401) is errors.AuthenticationError
    assert errors.error_class_for_status(403) is errors.AccessDeniedError
    assert errors.error_class_for_status(404) is errors.NotFoundError
    assert errors.error_class_for_status(409) is errors.ConflictError
    assert errors.error_class_for_status(429) is errors.RateLimitedError
    assert errors.error_class_for_status(503) is errors.ServerError
    assert errors.error_class_for_status(418) is errors.ApiError
    assert issubclass(errors.ServerError, errors.CitrixError)


def test_transaction_id_is_named_once_and_kept_by_a_failed_fleet_item():
    from ansible_collections.opencitrix.automation.plugins.module_utils.results import FleetResult
    err = errors.ConflictError('Could not send $reboot', status=409, method='POST', url='https://h/x',
                               transaction_id='tx-answered')
    assert str(err) == 'Could not send $reboot (HTTP 409, POST https://h/x, transaction id tx-answered)'
    assert str(err.traced('tx-sent')).endswith('transaction id tx-answered)')  # the server's id stays
    lost = errors.TransportError('Could not send $reboot', api_message='connection reset').traced('tx-sent')
    assert str(lost) == 'Could not send $reboot: connection reset (transaction id tx-sent)'
    fleet = FleetResult('Power action')
    traced_item = fleet.add('A', 'changed', transaction_id=None)
    other_item = fleet.add('B', 'changed')
    fleet.fail(traced_item, err)
    fleet.fail(other_item, err)
    assert traced_item['transaction_id'] == 'tx-answered' and 'transaction_id' not in other_item
