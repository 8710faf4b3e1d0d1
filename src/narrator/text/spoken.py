"""Verbalizers: numbers, dates, times, money and measures as a narrator says them.

Pure helpers used by ``normalize``; each takes the parts a pattern matched
and returns words. English only.
"""

from __future__ import annotations

from num2words import num2words

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "US$": ("US dollar", "US dollars", "cent", "cents"),
              "£": ("pound", "pounds", "penny", "pence"), "€": ("euro", "euros", "cent", "cents"),
              "¥": ("yen", "yen", "", ""), "₩": ("won", "won", "", ""), "₹": ("rupee", "rupees", "paisa", "paise")}
SCALES = {"k": "thousand", "m": "million", "mn": "million", "mln": "million", "b": "billion", "bn": "billion",
          "t": "trillion", "tn": "trillion", "thousand": "thousand", "million": "million",
          "billion": "billion", "trillion": "trillion"}
PER = {"mo": "month", "month": "month", "wk": "week", "week": "week", "d": "day", "day": "day",
       "hr": "hour", "h": "hour", "yr": "year", "year": "year", "min": "minute", "kg": "kilogram",
       "lb": "pound", "person": "person", "share": "share", "s": "second"}
UNITS = {  # symbol: (singular, plural)
    "km": ("kilometer", "kilometers"), "m": ("meter", "meters"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "mi": ("mile", "miles"), "ft": ("foot", "feet"), "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"), "°C": ("degree Celsius", "degrees Celsius"),
    "ºF": ("degree Fahrenheit", "degrees Fahrenheit"), "ºC": ("degree Celsius", "degrees Celsius"),
    "mbps": ("megabit per second", "megabits per second"), "gbps": ("gigabit per second", "gigabits per second"),
    "GB": ("gigabyte", "gigabytes"), "MB": ("megabyte", "megabytes"), "TB": ("terabyte", "terabytes"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"), "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "ha": ("hectare", "hectares"), "ml": ("milliliter", "milliliters"),
    "l": ("liter", "liters"), "L": ("liter", "liters"), "m2": ("square meter", "square meters"),
    "km2": ("square kilometer", "square kilometers"), "sq ft": ("square foot", "square feet"),
    "cc": ("CC", "CC"), "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"),
}


def _clean(words: str) -> str:
    return words.replace(",", "").replace("-", " ").replace(" and ", " ")


def cardinal(text: str | int) -> str:
    """'1,800' -> 'one thousand eight hundred'; '-3.5' -> 'minus three point five'."""
    text = str(text).replace(",", "")
    if text.startswith(("-", "−")):
        return "minus " + cardinal(text[1:])
    if "." in text:
        whole, _, frac = text.partition(".")
        return f"{cardinal(whole or '0')} point " + " ".join(ONES[int(d)] for d in frac)
    return _clean(num2words(int(text)))


def ordinal(value: int | str) -> str:
    """3 -> 'third', 21 -> 'twenty first'."""
    return _clean(num2words(int(str(value).replace(",", "")), to="ordinal"))


def digits(text: str) -> str:
    """'123' -> 'one two three'."""
    return " ".join(ONES[int(d)] for d in text if d.isdigit())


def year(value: int) -> str:
    """2018 -> 'twenty eighteen', 1905 -> 'nineteen oh five', 2000s stay 'two thousand six'."""
    if value < 1000 or 2000 <= value <= 2009 or value % 1000 == 0:
        return cardinal(value)
    high, low = divmod(value, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    return f"{cardinal(high)} {cardinal(low) if low >= 10 else 'oh ' + cardinal(low)}"


def plural(words: str) -> str:
    """'nineteen fifty' -> 'nineteen fifties', 'two thousand' -> 'two thousands'."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def house_number(text: str) -> str:
    """Street numbers in pairs: 123 -> 'one twenty three', 1428 -> 'fourteen twenty eight'."""
    if len(text) == 3:
        return f"{ONES[int(text[0])]} {cardinal(text[1:]) if text[1] != '0' else digits(text[1:])}"
    if len(text) == 4 and text[2] != "0":
        return f"{cardinal(text[:2])} {cardinal(text[2:])}"
    return cardinal(text)


def month_name(token: str) -> str:
    """'sept.' or 'SEP' or '9' -> 'September'."""
    token = token.strip(".").lower()
    if token.isdigit():
        return MONTHS[int(token) - 1]
    return next(m for m in MONTHS if m.lower().startswith(token[:3]))


def date(month: str, day: str | None, year_text: str | None, day_first: bool = False) -> str:
    """'July', '25', '2012' -> 'July twenty fifth twenty twelve' (day first: 'the twenty fifth of July')."""
    name = month_name(month)
    words = name
    if day:
        words = f"the {ordinal(day)} of {name}" if day_first else f"{name} {ordinal(day)}"
    if year_text:
        y = int(year_text)
        words += " " + (year(y) if len(year_text) == 4 else ("oh " + cardinal(y) if y < 10 else cardinal(y)))
    return words


def clock(hour: str, minute: str | None, second: str | None, suffix: str | None, zone: str | None) -> str:
    """'1', '59', None, 'p.m.' -> 'one fifty nine PM'; '14', '10', '30' -> hours, minutes and seconds."""
    h, m = int(hour), int(minute or 0)
    if second is not None:
        s = int(second)
        parts = [f"{cardinal(h)} hour{'s' if h != 1 else ''}", f"{cardinal(m)} minute{'s' if m != 1 else ''}"]
        words = " ".join(parts) + f" and {cardinal(s)} second{'s' if s != 1 else ''}"
    elif m:
        words = f"{cardinal(h)} {cardinal(m) if m >= 10 else 'oh ' + cardinal(m)}"
    else:
        words = cardinal(h) + ("" if suffix else " o'clock")
    if suffix:
        words += " " + ("PM" if suffix.lower().startswith("p") else "AM")
    if zone:
        words += " " + zone.replace(".", "").upper()
    return words


def money(symbol: str, amount: str, scale: str | None) -> str:
    """'$', '6.99', None -> 'six dollars and ninety nine cents'; '$', '3', 'bn' -> 'three billion dollars'."""
    one, many, sub_one, sub_many = CURRENCIES[symbol]
    amount = amount.replace(",", "")
    if scale:
        return f"{cardinal(amount)} {SCALES[scale.lower()]} {many}"
    whole, _, cents = amount.partition(".")
    cents = cents + "0" if len(cents) == 1 else cents
    if cents and (len(cents) != 2 or not sub_many):
        return f"{cardinal(amount)} {many}"
    c = int(cents or 0)
    if int(whole or 0) == 0 and c:
        return f"{cardinal(c)} {sub_one if c == 1 else sub_many}"
    words = f"{cardinal(whole or '0')} {one if whole == '1' else many}"
    if c:
        words += f" and {cardinal(c)} {sub_one if c == 1 else sub_many}"
    return words


def measure(amount: str, unit: str) -> str:
    """'12', 'kg' -> 'twelve kilograms'; '1', '°C' -> 'one degree Celsius'."""
    singular, plural = UNITS[unit]
    return f"{cardinal(amount)} {singular if amount in ('1', '1.0') else plural}"


def fraction(numerator: str, denominator: str, whole: str | None = None) -> str:
    """'1', '2' -> 'one half'; '3', '4', '2' -> 'two and three quarters'."""
    n, d = int(numerator), int(denominator)
    if d == 2:
        name = "half" if n == 1 else "halves"
    elif d == 4:
        name = "quarter" if n == 1 else "quarters"
    else:
        name = ordinal(d) + ("" if n == 1 else "s")
    head = "a" if whole and n == 1 and d == 2 else cardinal(n)
    words = f"{head} {name}"
    return f"{cardinal(whole)} and {words}" if whole else words
