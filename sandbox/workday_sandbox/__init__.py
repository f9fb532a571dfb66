"""The sandbox: a Bitrix24 portal emulator, a fake Telegram Bot API and a web chat page.

It is not part of the bot. It ships as a separate top-level package, installed with the
``sandbox`` extra (``pip install 'b24-workday-bot[sandbox]'``), and the bot never imports
it: the tests and ``python -m bot sandbox`` do.
"""
