"""The employee's working time beyond one day: the journal of days, the targets
Bitrix24 sets (minimum duration, latest start, work days), and the week they add up to."""
