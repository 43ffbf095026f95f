"""Throughput of the `cdp_*` DuckDB functions on synthetic, distinct-heavy data.

    python -m identity.standardise.benchmark --rows 1000000

Every rule's memo cache is cleared before each measurement, so the numbers are for a
cold run where most values are seen for the first time (the worst case); repeated
values within and across vectors are still de-duplicated, as they would be in
production.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import duckdb

from identity.standardise import cities, dates, emails, names, phones, text
from identity.standardise.duckdb_functions import register_standardisation_functions

_CACHED: tuple[Callable[..., object], ...] = (
    phones.standardise_phone, emails.standardise_email, emails.email_match_key,
    names.standardise_name, dates.parse_birth_date, cities.standardise_city, text.fold,
)  # fmt: skip

# Phones: current and pre-2018 prefixes in several notations, ~10% impossible, 1%
# foreign (foreign numbers take the slower full `phonenumbers.parse` path).
# Names, e-mails, dates, cities: combinations of lists, written in several ways.
SYNTHETIC_ROWS = """
create or replace table bench as
with seeded as (
    select i, (hash(i) % 1000000007)::bigint as h, (hash(i * 7919) % 1000000007)::bigint as g
    from range({rows}) t(i)
),
parts as (
    select
        i, h, g,
        ['32','33','35','38','39','90','91','94','98','86','70','77','79','83','84','56','59',
         '28'][1 + h % 18] as prefix,
        ['162','168','169','120','121','123','127','186','199'][1 + g % 9] as legacy,
        lpad((h // 97 % 10000000)::varchar, 7, '0') as subscriber,
        ['Nguyễn','Trần','Lê','Phạm','Hoàng','Huỳnh','Phan','Vũ','Võ','Đặng','Bùi','Đỗ','Hồ',
         'Ngô','Dương','Lý','Nguyen','Tran','Le','Pham'][1 + h % 20] as family,
        ['Thị','Văn','Ngọc','Minh','Thanh','Hữu','Đức','Thu','Hoàng','Anh','Thi','Van',
         'Quốc','Kim','Bảo'][1 + g % 15] as middle,
        ['Lan','Tuấn','Hùng','Hoa','Mai','Linh','Trang','Nam','An','Bình','Châu','Dũng','Giang',
         'Hà','Hải','Hiếu','Huy','Khánh','Long','My','Nga','Ngọc','Nhung','Phúc','Phương',
         'Quân','Quỳnh','Sơn','Tâm','Thảo','Thủy','Trung','Tú','Vy','Yến','Đạt','Khoa','Lộc',
         'Oanh','Uyên'][1 + (h // 31) % 40] as given,
        ['gmail.com','gmial.com','yahoo.com','hotmail.com','outlook.com','fpt.vn',
         'yahoo.com.vn','gmail.con','icloud.com','company.vn'][1 + g % 10] as domain,
        date '1950-01-01' + (h % 25000)::integer as born,
        ['TP.HCM','Hồ Chí Minh','Sài Gòn','HCM','Hà Nội','Hanoi','HN','Đà Nẵng','Da Nang',
         'Nha Trang','Huế','Biên Hòa','Vũng Tàu','Đà Lạt','Quy Nhơn','Cần Thơ','Hải Phòng',
         'Quận 1, TP.HCM','Singapore','tỉnh Lâm Đồng','Bình Dương','Thanh Hoá','Gò Vấp',
         'ha noi city'][1 + g % 24] as city
    from seeded
)
select
    i,
    case i % 10
        when 0 then '0' || prefix || subscriber
        when 1 then '+84 ' || prefix || ' ' || subscriber[1:3] || ' ' || subscriber[4:]
        when 2 then '84' || prefix || subscriber
        when 3 then '0' || prefix || '.' || subscriber[1:3] || '.' || subscriber[4:]
        when 4 then '01' || legacy || subscriber
        when 5 then '(+84) ' || legacy || ' ' || subscriber
        when 6 then '0' || prefix || subscriber[1:6]
        when 7 then case when i % 100 = 7 then '+65 9' || subscriber
                         else '0' || prefix || ' ' || subscriber end
        when 8 then '0' || prefix || '-' || subscriber
        else null
    end as phone,
    lower(strip_accents(given)) || '.' || lower(strip_accents(family)) || (h % 99991)::varchar
        || '@' || case when i % 5 = 0 then upper(domain) else domain end as email,
    case i % 6
        when 0 then family || ' ' || middle || ' ' || given
        when 1 then given || ' ' || family || ' ' || middle
        when 2 then 'chị ' || family || ' ' || middle || ' ' || given
        when 3 then upper(family || ' ' || middle || ' ' || given)
        when 4 then family || ', ' || middle || ' ' || given
        else 'Khách lẻ'
    end || case when i % 3 = 0 then ' ' || (h % 1000)::varchar else '' end as full_name,
    case i % 5
        when 0 then strftime(born, '%Y-%m-%d')
        when 1 then strftime(born, '%d/%m/%Y')
        when 2 then strftime(born, '%-d.%-m.%Y')
        when 3 then strftime(born, '%d %b %Y')
        else strftime(born, '%d/%m')
    end as birth_date,
    city
from parts
"""

MEASURED: tuple[tuple[str, str], ...] = (
    ("cdp_phone_e164", "phone"),
    ("cdp_phone", "phone"),
    ("cdp_email", "email"),
    ("cdp_email_match_key", "email"),
    ("cdp_name", "full_name"),
    ("cdp_name_key", "full_name"),
    ("cdp_birth_date_parts", "birth_date"),
    ("cdp_city", "city"),
)


def clear_caches() -> None:
    for cached in _CACHED:
        cached.cache_clear()  # type: ignore[attr-defined]


def run(rows: int, repeats: int = 2) -> list[tuple[str, int, float, float]]:
    """(function, distinct inputs, wall seconds, CPU seconds) per measured function.

    CPU time (all threads of this process) is reported beside wall time because a shared
    host makes wall time noisy; the best of `repeats` cold runs is kept for both.
    """
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    register_standardisation_functions(con)
    con.execute(SYNTHETIC_ROWS.format(rows=rows))
    results = []
    for function, column in MEASURED:
        (distinct,) = con.execute(f"select count(distinct {column}) from bench").fetchone()
        wall = cpu = float("inf")
        for _ in range(repeats):
            clear_caches()
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            con.execute(
                f"create or replace temp table out as select {function}({column}) from bench"
            )
            wall = min(wall, time.perf_counter() - wall_start)
            cpu = min(cpu, time.process_time() - cpu_start)
        results.append((function, distinct, wall, cpu))
    con.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    print(f"{'function':22} {'distinct':>9} {'wall s':>7} {'cpu s':>7} {'rows/wall s':>12}")
    for function, distinct, wall, cpu in run(args.rows, args.repeats):
        print(f"{function:22} {distinct:9d} {wall:7.2f} {cpu:7.2f} {args.rows / wall:12,.0f}")


if __name__ == "__main__":
    main()
