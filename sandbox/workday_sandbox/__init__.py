"""The sandbox: a Bitrix24 portal emulator, a fake Telegram Bot API and a web chat page.

It is not part of the bot: it is its own distribution (``b24-workday-sandbox``, in the
repository's ``sandbox/`` folder, installed with ``pip install ./sandbox``), and the bot
never imports it; the tests and ``python -m bot sandbox`` do.
"""
