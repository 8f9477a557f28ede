"""Encryption at rest for personal data: ID numbers and phone numbers (issue 16).

A model declares the clear field and its keyed hash side by side:

    id_number = EncryptedCharField("身份证号", max_length=18, kind="id")
    id_number_hash = BlindIndexField(of="id_number", unique=True)

The Python attribute holds the clear value; the column holds an AES-256-GCM token
(authenticated: a changed byte fails to decrypt) and the hash column an
HMAC-SHA256 of the normalised value, kept for exact lookup and uniqueness.

* `filter(id_number=x)` and `filter(phone__in=[...])` are rewritten to the hash
  column (matching the hash under every configured key, so lookups keep working
  while a rotation is under way). Every other lookup (contains, startswith, …)
  is refused with a FieldError: a partial match inside an encrypted value cannot
  exist.
* The hash is computed in `pre_save` (save, bulk_create, the demo loader's COPY);
  `QuerySet.update` and `bulk_update` go through `with_hashes` /
  `hash_fields_for` (ChangeLoggedQuerySet and EncryptedQuerySet call them).

Keys: settings.CHANGQING_FIELD_KEYS, a list of base64url 32-byte keys, newest
first. From each key HKDF-SHA256 derives an encryption key, a hash key and a key
id, once per process (not per row). Values are written under the newest key;
any listed key decrypts. `manage.py rotate_field_keys` re-encrypts and re-hashes
every row under the newest key; then the old key can be dropped.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import checks, exceptions
from django.core.signals import setting_changed
from django.db import models, transaction
from django.db.models import lookups
from django.db.models.signals import pre_save
from django.dispatch import receiver

PREFIX = "e1:"
_NONCE = 12


class FieldKeyError(exceptions.ImproperlyConfigured):
    pass


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class FieldKey:
    kid: str
    aead: object  # cryptography AESGCM
    mac_key: bytes
    history_key: bytes


def generate_key() -> str:
    """A new key for CHANGQING_FIELD_KEYS: 32 random bytes, base64url."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def _decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise FieldKeyError("CHANGQING_FIELD_KEYS 中的每个密钥应为 32 字节的 base64url 字符串"
                            "（用 manage.py rotate_field_keys --generate-key 生成）")
    return raw


def _derive(master: bytes, info: bytes, length: int = 32) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)


@lru_cache(maxsize=1)
def keyring() -> tuple[FieldKey, ...]:
    """The configured keys, newest first, with their derived keys (built once per process)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    texts = getattr(settings, "CHANGQING_FIELD_KEYS", None) or []
    if isinstance(texts, str):
        texts = [t for t in texts.split(",") if t.strip()]
    if not texts:
        raise FieldKeyError("未设置 CHANGQING_FIELD_KEYS：身份证号、电话等字段无法加密或解密")
    ring = []
    for text in texts:
        master = _decode_key(text)
        kid = base64.urlsafe_b64encode(_derive(master, b"changqing/field-key-id/v1", 6)).decode()
        ring.append(FieldKey(kid=kid, aead=AESGCM(_derive(master, b"changqing/field-encryption/v1")),
                             mac_key=_derive(master, b"changqing/field-hash/v1"),
                             history_key=_derive(master, b"changqing/history-digest/v1")))
    if len({k.kid for k in ring}) != len(ring):
        raise FieldKeyError("CHANGQING_FIELD_KEYS 中有重复的密钥")
    return tuple(ring)


@checks.register(checks.Tags.security)
def check_keys(app_configs=None, **kwargs):
    """The keys parse (a malformed CHANGQING_FIELD_KEYS is caught at start, not at the first page read)."""
    try:
        keyring()
    except FieldKeyError as exc:
        return [checks.Error(str(exc), id="changqing.E100")]
    return []


@lru_cache(maxsize=1)
def _by_kid() -> dict[str, FieldKey]:
    return {k.kid: k for k in keyring()}


@receiver(setting_changed)
def _keys_changed(setting, **kwargs):
    if setting == "CHANGQING_FIELD_KEYS":
        keyring.cache_clear()
        _by_kid.cache_clear()


def newest() -> FieldKey:
    return keyring()[0]


def is_token(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def token_kid(value: str) -> str:
    return value[len(PREFIX):len(PREFIX) + 8]


def encrypt(value: str, key: FieldKey | None = None) -> str:
    """The stored form of a clear value ("" stays "": a blank field hides nothing)."""
    if value is None or value == "":
        return value
    key = key or newest()
    nonce = os.urandom(_NONCE)
    sealed = key.aead.encrypt(nonce, str(value).encode(), None)
    return f"{PREFIX}{key.kid}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def decrypt(token: str) -> str:
    """The clear value of a stored token; a value written before encryption (no prefix) is returned as is."""
    if not is_token(token):
        return token
    from cryptography.exceptions import InvalidTag

    key = _by_kid().get(token_kid(token))
    if key is None:
        raise DecryptionError("字段由未配置的密钥加密，无法解密（CHANGQING_FIELD_KEYS 缺少该密钥）")
    body = token[len(PREFIX) + 9:]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return key.aead.decrypt(raw[:_NONCE], raw[_NONCE:], None).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise DecryptionError("字段密文已损坏或被篡改，无法解密") from None


def normalize(kind: str, value: str) -> str:
    """The form a value is hashed in: an ID number canonical (full-width digits, lower-case x), a phone its digits."""
    value = str(value)
    if kind == "id":
        from .idcard import normalize as id_normalize

        return id_normalize(value)
    if kind == "phone":
        return "".join(c for c in value if c.isdigit()) or value.strip()
    return value.strip()


def blind_index(kind: str, value, key: FieldKey | None = None) -> str:
    """HMAC-SHA256 (hex) of the normalised value under the key's hash key; "" for a blank value."""
    if value is None or value == "":
        return ""
    key = key or newest()
    return hmac.new(key.mac_key, normalize(kind, value).encode(), hashlib.sha256).hexdigest()


def blind_indexes(kind: str, value) -> list[str]:
    """The value's hash under every configured key: what a lookup matches during a rotation."""
    return [blind_index(kind, value, k) for k in keyring()]


def history_digest(value) -> str:
    """Keyed digest for the change history ("did it change" without the clear value), under the newest key."""
    return hmac.new(newest().history_key, str(value).encode(), hashlib.sha256).hexdigest()[:32]


# -- model fields --------------------------------------------------------------------------------------

class EncryptedCharField(models.CharField):
    """A CharField whose column holds an AES-GCM token; max_length bounds the clear value.

    kind: "id" (ID number) or "phone": how the value is normalised for its hash and masked in the history.
    """

    def __init__(self, *args, kind: str = "phone", **kwargs):
        if kind not in ("id", "phone", "text"):
            raise ValueError(f"EncryptedCharField kind {kind!r}")
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def db_type(self, connection):
        return connection.data_types["TextField"] % {}

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index:
            errors.append(checks.Error("加密字段不能设 unique/db_index：唯一性与索引放在它的 BlindIndexField 上",
                                       obj=self, id="changqing.E101"))
        if self.hash_field is None:
            errors.append(checks.Error(f"加密字段 {self.name} 缺少 BlindIndexField(of={self.name!r})",
                                       obj=self, id="changqing.E102"))
        return errors

    @property
    def hash_field(self):
        for f in self.model._meta.concrete_fields:
            if isinstance(f, BlindIndexField) and f.of == self.name:
                return f
        return None

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        lookup = _LOOKUPS.get(lookup_name)
        if lookup is None:
            return None  # Django says: Unsupported lookup 'contains' for EncryptedCharField
        return lookup

    def get_transform(self, name):
        return None


class BlindIndexField(models.CharField):
    """The keyed hash of an EncryptedCharField (`of`), filled in on every save; carries unique/db_index."""

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for k, v in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(k) == v:
                kwargs.pop(k)
        return name, path, args, kwargs

    @property
    def source(self) -> EncryptedCharField:
        return self.model._meta.get_field(self.of)

    def hash_of(self, instance) -> str:
        return blind_index(self.source.kind, getattr(instance, self.of))

    def pre_save(self, model_instance, add):
        value = self.hash_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


@receiver(pre_save, dispatch_uid="fieldcrypt_update_fields")
def _check_update_fields(sender, instance, update_fields=None, raw=False, **kwargs):
    if update_fields and not raw:
        check_update_fields(instance, update_fields)


def hash_fields(model) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


# -- lookups: exact and in, by hash; nothing else ---------------------------------------------------------

def _hash_sql(lookup, compiler, connection, values):
    col = lookup.lhs
    field = getattr(col, "target", None)
    if not isinstance(field, EncryptedCharField) or not hasattr(col, "alias"):
        raise exceptions.FieldError("加密字段只能按完整的值直接查找")
    if any(hasattr(v, "resolve_expression") for v in values):
        raise exceptions.FieldError(f"加密字段 {field.name} 只能与具体的值比较，不能与表达式比较")
    blank = any(v == "" for v in values)
    hashes = sorted({h for v in values if v not in ("", None) for h in blind_indexes(field.kind, v)})
    parts, params = [], []
    if hashes:
        sql, p = compiler.compile(lookups.In(field.hash_field.get_col(col.alias), hashes))
        parts.append(sql)
        params.extend(p)
    if blank:
        sql, p = compiler.compile(col)
        parts.append(f"{sql} = %s")
        params.extend([*p, ""])
    if not parts:
        raise exceptions.EmptyResultSet
    return "(" + " OR ".join(parts) + ")", tuple(params)


class EncryptedExact(lookups.Exact):
    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        if self.rhs is None:
            sql, params = compiler.compile(self.lhs)
            return f"{sql} IS NULL", params
        return _hash_sql(self, compiler, connection, [self.rhs])


class EncryptedIn(lookups.In):
    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise exceptions.FieldError("加密字段的 __in 只接受值的列表")
        return _hash_sql(self, compiler, connection, list(self.rhs))


_LOOKUPS = {"exact": EncryptedExact, "in": EncryptedIn, "isnull": lookups.IsNull}


# -- writes that do not pass through pre_save ------------------------------------------------------------

def with_hashes(model, kwargs: dict) -> dict:
    """QuerySet.update(**kwargs) with the hash of every encrypted field it sets."""
    out = dict(kwargs)
    for f in encrypted_fields(model):
        hf = f.hash_field
        if hf.name in kwargs or hf.attname in kwargs:
            continue  # bulk_update's CASE for both columns
        for key in (f.name, f.attname):
            if key in kwargs:
                value = kwargs[key]
                if hasattr(value, "resolve_expression"):
                    raise exceptions.FieldError(f"加密字段 {f.name} 只能更新为具体的值")
                out[hf.name] = blind_index(f.kind, value)
    return out


def hash_fields_for(model, objs, fields) -> list:
    """bulk_update(objs, fields): the fields plus the hashes of the encrypted ones, computed on objs."""
    names = {model._meta.get_field(f).name for f in fields}
    out = list(fields)
    for f in encrypted_fields(model):
        if f.name in names:
            hf = f.hash_field
            for obj in objs:
                setattr(obj, hf.attname, hf.hash_of(obj))
            if hf.name not in names:
                out.append(hf.name)
    return out


class EncryptedQuerySetMixin:
    """update/bulk_update keep the hashes of encrypted fields; `by_hash` for code that holds a value."""

    def update(self, **kwargs):
        return super().update(**with_hashes(self.model, kwargs))

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        return super().bulk_update(objs, hash_fields_for(self.model, objs, fields), batch_size=batch_size)


def check_update_fields(instance, update_fields):
    """save(update_fields=[…]) must name the hash of an encrypted field it writes."""
    if not update_fields:
        return
    for f in encrypted_fields(type(instance)):
        if f.name in update_fields and f.hash_field.name not in update_fields:
            raise TypeError(f"save(update_fields=…) 写了加密字段 {f.name}，也须写 {f.hash_field.name}")


# -- re-encryption: the data migration and the key rotation ---------------------------------------------

def reencrypt_model(model, connection, *, batch_size: int = 2000, only_stale: bool = True) -> int:
    """Bring every encrypted value of a model's table to the newest key (clear legacy values encrypted,
    older tokens decrypted and encrypted again) and recompute its hashes. Raw SQL: no signals, no history
    (the clear values do not change), works on historical models in migrations. Returns rows rewritten."""
    pairs = [(f, f.hash_field) for f in encrypted_fields(model)]
    if not pairs:
        return 0
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    cols = ", ".join(qn(f.column) for f, _ in pairs)
    sets = ", ".join(f"{qn(f.column)} = %s, {qn(h.column)} = %s" for f, h in pairs)
    key = newest()
    current = f"{PREFIX}{key.kid}:"
    total, last = 0, None
    with connection.cursor() as cursor:
        while True:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(f"SELECT {pk}, {cols} FROM {table} {where}ORDER BY {pk} LIMIT %s",
                           ([last] if last is not None else []) + [batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            updates = []
            for row in rows:
                values = row[1:]
                if only_stale and all(not v or v.startswith(current) for v in values):
                    continue
                params = []
                for (f, _), stored in zip(pairs, values):
                    clear = decrypt(stored) if stored else stored
                    params += [encrypt(clear, key) if clear else (clear or ""), blind_index(f.kind, clear, key)]
                updates.append((*params, row[0]))
            if updates:
                with transaction.atomic(using=connection.alias):  # one batch at a time: a rerun resumes
                    _update_rows(cursor, connection, table, pk, pairs, sets, updates)
                total += len(updates)
    return total


def _update_rows(cursor, connection, table, pk, pairs, sets, updates):
    """Write (values…, pk) rows: on PostgreSQL one UPDATE … FROM (VALUES …) per batch (a statement per row
    is most of a rotation's time there), elsewhere a statement per row (SQLite is in-process)."""
    if connection.vendor != "postgresql":
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", updates)
        return
    qn = connection.ops.quote_name
    names = [n for i in range(len(pairs)) for n in (f"c{i}", f"h{i}")]
    assign = ", ".join(f"{qn(col)} = v.{n}" for (f, h), i in zip(pairs, range(len(pairs)))
                       for col, n in ((f.column, f"c{i}"), (h.column, f"h{i}")))
    row = "(" + ", ".join(["%s"] * (len(names) + 1)) + ")"
    cursor.execute(f"UPDATE {table} SET {assign} FROM (VALUES {', '.join([row] * len(updates))}) "
                   f"AS v({', '.join(names)}, pk) WHERE {table}.{pk} = v.pk",
                   [x for u in updates for x in u])


def stale_values(model, connection) -> int:
    """How many stored values of a model are not under the newest key (clear ones included)."""
    qn = connection.ops.quote_name
    current = f"{PREFIX}{newest().kid}:"
    total = 0
    with connection.cursor() as cursor:
        for f in encrypted_fields(model):
            col = qn(f.column)
            cursor.execute(f"SELECT COUNT(*) FROM {qn(model._meta.db_table)} WHERE {col} IS NOT NULL AND {col} <> '' "
                           f"AND SUBSTR({col}, 1, {len(current)}) <> %s", [current])
            total += cursor.fetchone()[0]
    return total


def models_with_encrypted_fields():
    from django.apps import apps

    return [m for m in apps.get_models() if not m._meta.proxy and encrypted_fields(m)]


def decrypt_model(model, connection, *, batch_size: int = 2000) -> int:
    """The reverse of the data migration: clear values back in the column, hashes emptied."""
    pairs = [(f, f.hash_field) for f in encrypted_fields(model)]
    if not pairs:
        return 0
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    cols = ", ".join(qn(f.column) for f, _ in pairs)
    sets = ", ".join(f"{qn(f.column)} = %s, {qn(h.column)} = %s" for f, h in pairs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {cols} FROM {table}")
        updates = [(*[x for v in row[1:] for x in ((decrypt(v) if v else v) or "", "")], row[0])
                   for row in cursor.fetchall()]
        if updates:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", updates)
    return len(updates)


def encrypt_rows(*labels):
    """RunPython forward for an app's data migration: encrypt the existing rows of the named models."""
    def forward(apps, schema_editor):
        keyring.cache_clear()
        _by_kid.cache_clear()
        for label in labels:
            reencrypt_model(apps.get_model(label), schema_editor.connection)

    def backward(apps, schema_editor):
        for label in labels:
            decrypt_model(apps.get_model(label), schema_editor.connection)

    return forward, backward
