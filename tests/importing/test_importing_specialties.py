"""The specialty vocabulary: slugs and names from the contract, and helpful unknown-name errors."""

import pytest

from mentor_match.importing.specialties import (
    DEFAULT_SPECIALTIES,
    Specialty,
    SpecialtyVocabulary,
    UnknownSpecialtyError,
)

VOCABULARY = SpecialtyVocabulary(DEFAULT_SPECIALTIES)


def test_defaults_are_the_contract_list_in_order():
    assert [s.slug for s in DEFAULT_SPECIALTIES] == [
        "sterile-compounding",
        "nonsterile-compounding",
        "hazardous-drugs",
        "oncology",
        "mtm",
        "geriatrics",
        "nuclear",
        "informatics",
        "med-rec",
        "inventory",
        "immunizations",
        "billing",
    ]
    assert DEFAULT_SPECIALTIES[4] == Specialty("mtm", "Medication therapy management")
    assert DEFAULT_SPECIALTIES[9].name == "Inventory and supply chain"


@pytest.mark.parametrize("specialty", DEFAULT_SPECIALTIES)
def test_slug_and_name_resolve_in_any_case(specialty):
    for text in (specialty.slug, specialty.name, specialty.name.upper(), f"  {specialty.slug}\t"):
        assert VOCABULARY.resolve(text) == specialty.slug


def test_spacing_and_hyphens_are_forgiven():
    assert VOCABULARY.resolve("Non sterile compounding") == "nonsterile-compounding"
    assert VOCABULARY.resolve("med rec") == "med-rec"
    assert VOCABULARY.resolve("Sterile   Compounding") == "sterile-compounding"


def test_typo_suggests_the_closest():
    with pytest.raises(ValueError) as caught:
        VOCABULARY.resolve("oncolgy")
    assert str(caught.value) == "unknown specialty 'oncolgy' \u2014 did you mean 'oncology'?"


def test_typo_of_a_name_suggests_the_name():
    with pytest.raises(UnknownSpecialtyError) as caught:
        VOCABULARY.resolve("Geriatric pharmcy")
    assert caught.value.suggestions == ("Geriatric pharmacy",)


def test_nothing_close_lists_the_known_slugs():
    with pytest.raises(UnknownSpecialtyError) as caught:
        VOCABULARY.resolve("astrology")
    assert "unknown specialty 'astrology'" in str(caught.value)
    assert "sterile-compounding" in str(caught.value)
    assert "billing" in str(caught.value)


def test_coordinator_added_specialties_are_known():
    vocabulary = SpecialtyVocabulary([*DEFAULT_SPECIALTIES, Specialty("veterinary", "Vet care")])
    assert vocabulary.resolve("vet care") == "veterinary"
    assert "veterinary" in vocabulary
    assert len(vocabulary) == 13
    assert vocabulary.name_of("veterinary") == "Vet care"
    with pytest.raises(ValueError):
        VOCABULARY.resolve("veterinary")
