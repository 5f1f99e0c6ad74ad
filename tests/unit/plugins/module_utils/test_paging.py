import itertools

from ansible_collections.opencitrix.automation.plugins.module_utils import errors
from ansible_collections.opencitrix.automation.plugins.module_utils.paging import NewById, check_total, iterate_pages

import pytest


def test_follows_tokens_to_the_end():
    pages = {None: ([1, 2], 'a'), 'a': ([3], 'b'), 'b': ([4], None)}
    assert list(iterate_pages(lambda t: pages[t])) == [1, 2, 3, 4]


def test_a_repeated_token_ends_the_listing_in_one_line():
    looping = {None: ([1], 'a'), 'a': ([2], 'a')}
    with pytest.raises(errors.ResponseFormatError, match='repeated a continuation token') as caught:
        list(iterate_pages(lambda t: looping[t], what='list machines'))
    assert str(caught.value).startswith('Could not list machines: paging did not advance')
    assert '\n' not in str(caught.value)


def test_fresh_tokens_without_new_items_are_a_stall_not_100000_pages():
    calls = itertools.count(1)
    seen_ids = NewById()

    def endless(_token):
        n = next(calls)
        return [{'Id': 'm1'}, {'Id': 'm2'}], 'token-%d' % n  # the same page, a fresh token every time

    with pytest.raises(errors.ResponseFormatError, match='3 pages in a row brought no new item'):
        list(iterate_pages(endless, new_items=seen_ids))
    assert next(calls) == 5  # the first page and three stalled ones were fetched, nothing more


def test_empty_pages_with_a_token_stall_too():
    calls = itertools.count(1)
    with pytest.raises(errors.ResponseFormatError, match='no new item'):
        list(iterate_pages(lambda t: ([], 'next-%d' % next(calls))))
    assert next(calls) == 4


def test_one_empty_page_in_the_middle_is_tolerated():
    pages = {None: ([1], 'a'), 'a': ([], 'b'), 'b': ([2], None)}
    assert list(iterate_pages(lambda t: pages[t])) == [1, 2]


def test_a_page_cap_still_bounds_a_server_inventing_items():
    counter = itertools.count()
    with pytest.raises(errors.ResponseFormatError, match='more than 50 pages'):
        list(iterate_pages(lambda t: ([next(counter)], 'tok-%d' % next(counter)), max_pages=50))


def test_more_items_than_the_reported_total_is_refused():
    check_total(10, 10, 'list devices')
    check_total(10, None, 'list devices')
    with pytest.raises(errors.ResponseFormatError, match='11 items read, but the server reported 10'):
        check_total(11, 10, 'list devices')
