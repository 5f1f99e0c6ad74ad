import json

from ansible_collections.opencitrix.automation.plugins.module_utils.redaction import MASK, Redactor, encoded_forms

SECRET = 'pa"ss\\word-9f3'


def test_a_secret_is_masked_in_every_encoding_a_message_can_carry():
    redact = Redactor([SECRET])
    escaped = json.dumps(SECRET)[1:-1]  # pa\"ss\\word-9f3, as a server echoes it inside a JSON string
    for text in (SECRET, json.dumps({'message': 'login failed for %s' % SECRET}), repr(SECRET),
                 'password=pa%22ss%5Cword-9f3', 'user+pa%22ss%5Cword-9f3'):
        redacted = redact(text)
        assert SECRET not in redacted and escaped not in redacted and 'ss%5Cword' not in redacted, redacted
        assert MASK in redacted


def test_a_token_with_a_trailing_newline_is_masked_as_requests_quotes_it():
    token = 'Zm9vYmFyYmF6cXV1eA==\n'
    redact = Redactor([token])
    message = "Invalid leading whitespace, reserved character(s), or return character(s) in header value: %r" % (
        'CitrixAuth ' + token)
    assert 'Zm9vYmFyYmF6cXV1eA' not in redact(message)


def test_url_user_information_is_masked_whether_or_not_registered():
    redact = Redactor()
    text = "Failed to parse: http://proxyuser:S3cr3t-proxy@proxy.example:99999"
    assert redact(text) == 'Failed to parse: http://%s@proxy.example:99999' % MASK
    assert redact('see https://example.com/path?x=1') == 'see https://example.com/path?x=1'


def test_each_line_of_a_multiline_secret_is_a_secret():
    forms = encoded_forms('first-line-secret\nsecond-line-secret')
    assert 'first-line-secret' in forms and 'second-line-secret' in forms


def test_exceptions_render_in_one_redacted_line():
    redact = Redactor(['topsecret-value'])
    exc = ValueError('bad value\n  topsecret-value\n at line 3')
    assert redact.exception(exc) == 'bad value %s at line 3' % MASK


def test_short_values_are_not_secrets():
    assert Redactor(['abc'])('abc abc') == 'abc abc'
