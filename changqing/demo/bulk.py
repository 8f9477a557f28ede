"""Fast bulk writing for the demo loader: the same rows as bulk_create, written with COPY.

`bulk_create` on PostgreSQL builds one INSERT … UNNEST statement whose arrays are
quoted in Python (client-side binding); for the tens of thousands of rows of the
demo that quoting, not the database, is most of the time. `copy_insert` takes the
primary keys from the table's own sequence in one query (so every id is the one
bulk_create would have given, in the same order), then streams the rows with
COPY. Values go through the same field.pre_save / get_db_prep_save as an INSERT.

These COPY writes bypass the ORM, so they leave no history by themselves (the
change-logged QuerySet cannot see them): `log_created` writes it exactly as
core.changelog.bulk_log_changes does (same ObjectChange rows, by its
snapshotter/make_change), loading the relations that __str__ and the scope path
follow in one query per relation first instead of one per row.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, connections, models, transaction
from django.db.models import AutoField, prefetch_related_objects

from changqing.core.changelog import logging_on, make_change, snapshot, snapshotter, unlogged
from changqing.core.models import ObjectChange


def _copyable(model, objs) -> bool:
    opts = model._meta
    if connection.vendor != "postgresql" or opts.parents or not isinstance(opts.pk, AutoField):
        return False
    if any(f.has_db_default() for f in opts.concrete_fields):
        return False
    return not any(o._is_pk_set() for o in objs)


def copy_insert(model, objs, batch_size: int = 5000) -> list:
    """bulk_create(objs) for new rows of a plain model; returns objs with their pks set."""
    objs = list(objs)
    if not objs:
        return objs
    if not _copyable(model, objs):
        with unlogged():  # as with COPY, the caller writes the history it keeps (log_created)
            return model.objects.bulk_create(objs, batch_size=batch_size)
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated]
    pk = opts.pk
    table, qn = opts.db_table, connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk.column, len(objs)])
        ids = sorted(r[0] for r in cursor.fetchall())
        for obj, pk_value in zip(objs, ids):
            setattr(obj, pk.attname, pk_value)
        raw = cursor.cursor
        convert = _converters(fields)
        with raw.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([c(obj) for c in convert])
        for obj in objs:
            obj._state.adding = False
            obj._state.db = "default"
    return objs


# Field classes whose get_db_prep_save returns a value of these exact types unchanged (PostgreSQL).
_PLAIN = {models.CharField: (str,), models.TextField: (str,), models.IntegerField: (int,),
          models.PositiveIntegerField: (int,), models.PositiveSmallIntegerField: (int,),
          models.SmallIntegerField: (int,), models.BigIntegerField: (int,), models.BooleanField: (bool,),
          models.DateField: (dt.date,), models.ForeignKey: (int,)}


def _converters(fields):
    """Per field: obj → the value an INSERT would send (field.pre_save, then get_db_prep_save)."""
    conn = connections["default"]  # the wrapper itself, not the per-call proxy
    out = []
    for f in fields:
        plain = _PLAIN.get(type(f))
        if type(f) is models.ForeignKey and not isinstance(f.target_field, AutoField):
            plain = None
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if plain is None or auto:
            out.append(lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), conn))
            continue
        attname = f.attname

        def convert(obj, f=f, attname=attname, plain=plain):
            value = getattr(obj, attname)
            if value is None or type(value) in plain:
                return value
            return f.get_db_prep_save(value, conn)
        out.append(convert)
    return out


def log_created(instances, *related: str) -> None:
    """core.changelog.bulk_log_changes(instances) (action create), written with COPY.

    `related`: prefetch lookups (e.g. "membership__retiree") for what the records'
    __str__ and scope path read, so they are loaded once, not row by row.
    """
    instances = list(instances)
    if not instances:
        return
    # In slices: SQLite refuses an IN list of thousands ("Expression tree is too large").
    for i in range(0, len(instances) if related else 0, 900):
        prefetch_related_objects(instances[i:i + 900], *related)
    model = type(instances[0])
    snap = snapshotter(model) if all(type(o) is model for o in instances) else snapshot
    changes = [make_change(obj, ObjectChange.Action.CREATE, None, snap(obj)) for obj in instances]
    copy_insert(ObjectChange, changes)


def copy_rows(table: str, columns: tuple[str, ...], rows) -> None:
    """INSERT INTO table (columns) VALUES … for plain tuples of database values, with COPY (same rows, same order)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) "
                               f"VALUES ({', '.join(['%s'] * len(columns))})", list(rows))
        return
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def update_column(model, objs, name: str) -> None:
    """bulk_update(objs, [name]) for one plain column, as one UPDATE … FROM unnest (no CASE per row).
    When the load keeps history, the change-logged bulk_update writes it instead."""
    objs = list(objs)
    if not objs:
        return
    if connection.vendor != "postgresql" or logging_on():
        model.objects.bulk_update(objs, [name], batch_size=500)
        return
    field, pk = model._meta.get_field(name), model._meta.pk
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(model._meta.db_table)} AS t SET {qn(field.column)} = d.v "
            f"FROM unnest(%s::{pk.rel_db_type(connection)}[], %s::{field.db_type(connection)}[]) AS d(k, v) "
            f"WHERE t.{qn(pk.column)} = d.k",
            [[o.pk for o in objs], [field.get_db_prep_save(getattr(o, field.attname), connection) for o in objs]])
