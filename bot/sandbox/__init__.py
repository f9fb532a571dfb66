"""In-process emulators (Bitrix24 portal, Telegram) for tests and the sandbox."""
