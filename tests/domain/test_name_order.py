"""The alphabetical order of names: the Kazakh alphabet, in which Russian's letters keep their order."""

from hypothesis import given
from hypothesis import strategies as st

from mediation.domain.text import KAZAKH_ALPHABET, fold, name_order_key


def in_order(names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: name_order_key(fold(name)))


def test_kazakh_letters_follow_their_neighbours_in_the_alphabet():
    names = ["Яковлев Олег", "Іскаков Арман", "Ұланов Бек", "Үсенов Ерік", "Өтебаев Ержан", "Оспанов Дамир",
             "Қасымова Гүлнар", "Карпов Иван", "Ғалымов Нұр", "Гаврилов Пётр", "Әбенов Бауыржан", "Абаев Нұрлан",
             "Һарон Ли", "Хасанов Тимур", "Ңа Тест"]
    assert in_order(names) == [
        "Абаев Нұрлан", "Әбенов Бауыржан", "Гаврилов Пётр", "Ғалымов Нұр", "Карпов Иван", "Қасымова Гүлнар",
        "Ңа Тест", "Оспанов Дамир", "Өтебаев Ержан", "Ұланов Бек", "Үсенов Ерік", "Хасанов Тимур", "Һарон Ли",
        "Іскаков Арман", "Яковлев Олег"]


def test_a_shorter_name_and_latin_names_come_first_and_case_does_not_matter():
    assert in_order(["Ким Анна", "Ким", "КИМ А", "Kim Anna"]) == ["Kim Anna", "Ким", "КИМ А", "Ким Анна"]


@given(st.lists(st.text(alphabet=KAZAKH_ALPHABET, min_size=1, max_size=6), min_size=2, max_size=8))
def test_letter_by_letter_the_key_orders_as_the_alphabet_does(words):
    by_alphabet = sorted(words, key=lambda word: [KAZAKH_ALPHABET.index(letter) for letter in word])
    assert sorted(words, key=name_order_key) == by_alphabet
