"""The dbt-duckdb plugin makes the rules callable from real dbt models."""

import textwrap
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

MODEL = """
with raw_contacts as (
    select * from (values
        (1, '0168 123 4567', 'Lan.Nguyen@GMIAL.com', 'chị Lan Nguyễn Thị', '12/03/1990', 'TP.HCM'),
        (2, '038123456', 'lan@@x', 'Khách lẻ', '12/03', 'Nha Trang'),
        (3, null, null, null, null, null)
    ) as t(contact_id, phone, email, full_name, birth_date, city)
),

standardised as (
    select
        contact_id,
        cdp_phone_e164(phone) as phone_e164,
        cdp_phone_status(phone) as phone_status,
        cdp_phone_match_key(phone) as phone_match_key,
        cdp_email(email) as email,
        cdp_email_status(email) as email_status,
        cdp_name(full_name).full_name as full_name,
        cdp_name(full_name).name_key as name_key,
        cdp_name_from_first_last('An', 'Nguyễn Văn').given_name as given_name,
        cdp_birth_date(birth_date) as birth_date,
        cdp_birth_date_parts(birth_date).month as birth_month,
        cdp_city(city) as city,
        cdp_city_province(city) as province
    from raw_contacts
)

select * from standardised
"""


def _write_project(root: Path, warehouse: Path) -> None:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(
        textwrap.dedent(
            """
            name: standardise_plugin_check
            version: "1.0"
            profile: standardise_plugin_check
            flags:
              send_anonymous_usage_stats: false
            models:
              standardise_plugin_check:
                +materialized: table
            """
        )
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(
            f"""
            standardise_plugin_check:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: "{warehouse}"
                  threads: 2
                  plugins:
                    - module: identity.standardise.dbt_plugin
            """
        )
    )
    (root / "models" / "stg_contacts.sql").write_text(MODEL)


def test_dbt_model_calls_the_functions(tmp_path: Path) -> None:
    project, warehouse = tmp_path / "project", tmp_path / "warehouse.duckdb"
    _write_project(project, warehouse)

    result = dbtRunner().invoke(
        ["run", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"]
    )
    assert result.success, result.exception

    # dbt-duckdb keeps its in-process database open, so connect with the same (default) config.
    with duckdb.connect(str(warehouse)) as con:
        rows = con.execute("select * from main.stg_contacts order by contact_id").fetchall()
    assert [row[1:4] for row in rows] == [
        ("+84381234567", "valid", "+84381234567"),
        ("+8438123456", "invalid", None),
        (None, "missing", None),
    ]
    assert [row[4:6] for row in rows] == [
        ("lan.nguyen@gmail.com", "valid"), ("lan@@x", "invalid"), (None, "missing"),
    ]  # fmt: skip
    assert [row[6:9] for row in rows] == [
        ("Nguyễn Thị Lan", "nguyen thi lan", "An"), (None, None, "An"), (None, None, "An"),
    ]  # fmt: skip
    assert str(rows[0][9]) == "1990-03-12" and rows[1][9] is None
    assert [row[10] for row in rows] == [3, 3, None]
    assert [row[11:] for row in rows] == [
        ("Hồ Chí Minh", "Hồ Chí Minh"), ("Nha Trang", "Khánh Hòa"), (None, None),
    ]  # fmt: skip
