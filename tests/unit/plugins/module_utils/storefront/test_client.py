"""The StoreFront client's options and input checks (no sockets)."""

import pytest

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.storefront.client import StoreFrontClient, storefront_argument_spec


def test_connection_options_and_input_errors():
    spec = storefront_argument_spec()
    fallbacks = [o['fallback'][1][0] for o in spec.values() if 'fallback' in o]
    assert {'STOREFRONT_URL', 'STOREFRONT_PASSWORD', 'STOREFRONT_TOKEN', 'STOREFRONT_CA_PATH'} <= set(fallbacks)
    assert not [f for f in fallbacks if f.startswith('ANSIBLE_')]
    assert spec['password']['no_log'] and spec['token']['no_log']
    with pytest.raises(errors.InputError, match='username and password go together'):
        StoreFrontClient('https://sf/Citrix/Store', username='u')
    with pytest.raises(errors.InputError, match='plain HTTP'):
        StoreFrontClient('http://sf/Citrix/Store', username='u', password='p', token_cache=False)
    client = StoreFrontClient('https://sf/Citrix/Store/', username='u', password='pass-1234', token='tok-5678',
                              token_cache=False)
    assert client.store_url == 'https://sf/Citrix/Store'
    assert client.redact('pass-1234 tok-5678') == '******** ********'
