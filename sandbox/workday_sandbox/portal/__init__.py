"""The Bitrix24 portal emulator: REST, batch, OAuth, limits, faults and the timeman engine."""
