"""Passwords: argon2id hashes (argon2-cffi) and the refusal of weak ones, in Vietnamese.

A password is refused when it is short, is (or is built on) a commonly used password, repeats or
counts characters, or contains the login name. Hashes are argon2id with OWASP's first recommended setting
(46 MiB, one pass, one lane: about 0.1 s on an office PC, so a login stays under 0.5 s even on a
busy two-core machine, where argon2-cffi's default of 64 MiB × 3 passes × 4 lanes took 0.4–0.5 s).
Each hash stores its parameters; a hash made with other ones is renewed at the next login.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desktop.domain.text import fold
from desktop.errors import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 256

_HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)

# Commonly used passwords (and the Vietnamese ones found in leaked lists), compared folded
# (no diacritics, lower case) and with trailing digits and symbols removed.
COMMON = frozenset("""
123456 1234567 12345678 123456789 1234567890 12345 111111 000000 123123 654321 112233 121212 666666 888888
999999 147258369 987654321 qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm password passw0rd p@ssword p@ssw0rd
admin administrator root user guest login welcome letmein iloveyou monkey dragon master sunshine princess
football baseball superman batman trustno1 abc abcd abc123 abcdef abcdefgh qazwsx 1qaz2wsx
matkhau matkhaumoi matkhau123 anhyeuem emyeuanh yeuem yeuanh iloveu saigon hanoi vietnam vietnamese
hochiminh danang haiphong congan ubnd ubndxa uybannhandan uybannhandanxa giaitrinh sogiaitrinh tiepdan
tiepcongdan khieunai tocao vanthu chutich phochutich canbo congchuc quantri quantrivien quanly
xinchao chaoban
""".split())


def _weak_reason(password: str, login: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu quá ngắn: cần ít nhất {MIN_LENGTH} ký tự (đang có {len(password)})."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu quá dài: tối đa {MAX_LENGTH} ký tự."
    folded = fold(password).replace(" ", "")
    base = re.sub(r"[\d\W_]+$", "", folded)
    core = re.sub(r"^[\d\W_]+", "", base)
    if folded in COMMON or base in COMMON or core in COMMON or (base and base.rstrip("!@#") in COMMON):
        return "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác (ví dụ một câu ngắn dễ nhớ)."
    if len(set(folded)) <= 3:
        return "Mật khẩu lặp lại quá ít ký tự khác nhau: hãy chọn mật khẩu khác."
    if folded.isdigit() and (folded in "01234567890123456789" or folded in "98765432109876543210"):
        return "Mật khẩu là một dãy số liên tiếp, dễ bị đoán: hãy chọn mật khẩu khác."
    name = fold(login).replace(" ", "")
    if name and (name == folded or len(name) >= 4 and name in folded):  # a 3-letter login is a syllable
        return "Mật khẩu không được chứa tên đăng nhập."
    return None


def check_strength(password: str, login: str = "", *, field: str = "password") -> None:
    """Refuse a weak password with a Vietnamese message (``ValidationError`` on ``field``)."""
    reason = _weak_reason(password, login)
    if reason:
        raise ValidationError({field: reason})


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    if not stored:
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


_DUMMY = None


def burn_time(password: str) -> None:
    """Spend a verification's time for an unknown login, so the answer's delay does not tell
    which login names exist."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = _HASHER.hash("giaitrinh-dummy-password")
    verify_password(_DUMMY, password)
