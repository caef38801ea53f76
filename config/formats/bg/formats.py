# Bulgarian conventions (DESIGN.md §8): 22.11.2026 г., 14:30 ч., thousands with a space.
DATE_FORMAT = r"d.m.Y \г."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = r"d.m.Y \г., H:i \ч."
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = r"H:i \ч."
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
