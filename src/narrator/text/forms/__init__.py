"""Classes of written forms and the rules that read them aloud.

Each module holds the rules of a few related classes, as ordered lists of
(pattern, replacement) pairs; ``narrator.text.normalize`` applies them in the
order it names (most specific shapes first). The words come from
``narrator.text.spoken``.

- ``base``: the rule type, shared patterns (numbers, months, scale words).
- ``idents``: addresses on the web, phone numbers, IP addresses, digit groups
  that name rather than count (SSN-like ids, leading zeros, numbers after
  "serial", "account"...), foreign number formats.
- ``calendar``: dates, quarters, eras, times and time ranges, decades, years.
- ``amounts``: money, measures with units and powers, percentages,
  fractions, ordinals, ranges, plain cardinals and decimals.
- ``names``: street addresses, titles, initials, initialisms, Roman numerals.
"""
