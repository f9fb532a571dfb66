"""The portal, its clock and a webhook client: the Bitrix24 client tests' own fixtures."""

from tests.bitrix24.conftest import b24, clock, http, portal  # noqa: F401 - pytest finds them here
