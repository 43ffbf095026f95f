"""The run's calendar: history window, drop days and realistic timestamps.

Times are int64 seconds of local (Asia/Ho_Chi_Minh) wall-clock time since
1970-01-01, i.e. naive timestamps; the offset is only added when formatting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)

#: Relative shop traffic per hour of day (stores open 09:00–22:00).
STORE_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 6, 6, 5, 5, 6, 7, 8, 10, 11, 10, 8,
                        0, 0], dtype=float)
#: Relative online traffic per hour of day.
ONLINE_HOURS = np.array([3, 2, 1, 1, 1, 1, 2, 4, 6, 7, 7, 8, 9, 8, 7, 7, 7, 8, 9, 11, 12, 12,
                         10, 6], dtype=float)
#: Days with a sales peak: (month, day, multiplier).
PEAK_DAYS = ((11, 11, 4.0), (12, 12, 3.0), (11, 27, 3.5), (11, 28, 2.5), (10, 10, 2.0),
             (9, 9, 2.0), (12, 24, 1.8), (4, 30, 1.6), (3, 8, 1.5), (10, 20, 1.5))


def to_days(date: dt.date) -> int:
    return (date - _EPOCH).days


@dataclass(frozen=True)
class Timeline:
    start_date: dt.date
    days: int
    history_days: int

    @property
    def start(self) -> int:
        """First second of the first drop day."""
        return to_days(self.start_date) * DAY

    @property
    def t0(self) -> int:
        """First second of the history window."""
        return self.start - self.history_days * DAY

    @property
    def end(self) -> int:
        """First second after the last drop day."""
        return self.start + self.days * DAY

    def drop_dates(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=d) for d in range(self.days)]

    def drop_of(self, seconds: np.ndarray) -> np.ndarray:
        """Drop index of each time: all history goes to drop 0."""
        d = (np.asarray(seconds, dtype=np.int64) - self.start) // DAY
        return np.clip(d, 0, self.days - 1).astype(np.int16)

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        """Calendar day relative to the start date (negative in the history)."""
        return ((np.asarray(seconds, dtype=np.int64) - self.start) // DAY).astype(np.int32)

    def day_weights(self) -> np.ndarray:
        """Relative activity of every day in [t0, end): growth, weekends, sales peaks, Tết."""
        n = self.history_days + self.days
        first = self.start_date - dt.timedelta(days=self.history_days)
        dates = np.arange(n)
        w = 0.7 + 0.6 * dates / max(n - 1, 1)  # the brand grows
        weekday = (to_days(first) + dates + 3) % 7  # 1970-01-01 was a Thursday -> 0 = Monday
        w = w * np.where(weekday >= 5, 1.35, 1.0)
        lookup = {}
        for i in range(n):
            d = first + dt.timedelta(days=i)
            lookup[(d.month, d.day, d.year)] = i
        for (month, day, mult) in PEAK_DAYS:
            for year in range(first.year, first.year + n // 365 + 2):
                i = lookup.get((month, day, year))
                if i is not None:
                    w[i] *= mult
        return w

    def sample_times(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
                     hours: np.ndarray) -> np.ndarray:
        """One time per row within [lo, hi) following the daily calendar and hour profile.

        Days are drawn by inverse-CDF on the day-weight curve restricted to each row's
        window, so busy days stay busy for everybody (vectorised)."""
        lo = np.maximum(np.asarray(lo, dtype=np.int64), self.t0)
        hi = np.minimum(np.asarray(hi, dtype=np.int64), self.end)
        hi = np.maximum(hi, lo + 1)
        w = self.day_weights()
        cdf = np.concatenate([[0.0], np.cumsum(w)])
        d_lo = (lo - self.t0) // DAY
        d_hi = np.maximum((hi - 1 - self.t0) // DAY, d_lo)
        u = rng.random(len(lo))
        target = cdf[d_lo] + u * (cdf[d_hi + 1] - cdf[d_lo])
        day = np.clip(np.searchsorted(cdf, target, side="right") - 1, d_lo, d_hi)
        hp = hours / hours.sum()
        hour = rng.choice(24, size=len(lo), p=hp)
        t = self.t0 + day * DAY + hour * 3600 + rng.integers(0, 3600, len(lo))
        return np.clip(t, lo, hi - 1)

    def delayed(self, rng: np.random.Generator, base: np.ndarray, mean_days: float,
                ) -> np.ndarray:
        """``base`` plus an exponential delay; when that falls after the run, a uniform time
        between ``base`` and the end instead (no pile-up on the last second)."""
        base = np.asarray(base, dtype=np.int64)
        t = base + (rng.exponential(mean_days, len(base)) * DAY).astype(np.int64)
        late = t >= self.end
        span = np.maximum(self.end - base, 1)
        return np.where(late, base + (rng.random(len(base)) * span).astype(np.int64), t)
