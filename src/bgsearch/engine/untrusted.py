"""Reading an index never runs code from it: every pickle Whoosh reads goes through an allow-list.

Whoosh keeps Python pickles in the index directory: the table of contents (`_MAIN_<gen>.toc`)
holds the pickled schema (fields, formats, analyzers) and the pickled segment list; segment files
hold pickled posting blocks, block headers, stored fields and compound-file directories. A plain
`pickle.load` of a planted file calls any importable function (`os.system`, `builtins.exec`...).

`install()` replaces, in Whoosh's own modules, every name through which Whoosh unpickles data
(the table `_PATCHES` below, plus a sweep of every loaded `whoosh.*` module for any other reference
to a pickle or marshal loader) with `safe_load` / `safe_loads`:

* A fast path (the C unpickler) accepts only pure data: None, bools, numbers, strings, bytes,
  tuples, lists, dicts, sets, and `_codecs.encode(str, "latin1")` (how protocol 2 writes bytes),
  through a wrapper that only encodes Latin-1. No class and no other function can be named, so no
  code runs. Posting blocks, block headers, stored fields and positions take this path.
* Anything else (the schema and the segment list) is read again by `StrictUnpickler`, a pure-Python
  unpickler that allows only the globals of `ALLOWED_CLASSES` and `ALLOWED_CALLABLES`, and also
  controls what is done with them: an allowed class may only be instantiated without running its
  constructor (NEWOBJ with no arguments) and given a plain attribute dict (BUILD); only the
  callables of `ALLOWED_CALLABLES` may be called (REDUCE), each through a wrapper that checks its
  arguments (`defaultdict(int)` only, Latin-1 only...). INST, OBJ, NEWOBJ_EX, the extension registry
  and persistent ids are refused. `copyreg._reconstructor` and every other global are refused.
* After loading, segments are checked (`_check_value`): a segment's id and index name become file
  names, so they must be `[0-9a-z]+` / `[A-Za-z0-9_]+`, never a path.

Anything refused raises `UntrustedPickleError` (a `pickle.UnpicklingError`); the engine turns it
into its one-line "damaged or untrusted index" error.

How the allow-list was found: by recording every pickle Whoosh writes (wrapping its
dump/dumps names) while bgsearch builds indexes in process and with worker processes, with stored
fields, replacements, deletions, several commits and 3,000 law texts, and listing each global the
pickles reference (an `Unpickler.find_class` that records its arguments). The result is exactly
`ALLOWED_CLASSES` + `ALLOWED_CALLABLES` + `builtins.int` (as the `defaultdict` factory).
"""

from __future__ import annotations

import importlib
import io
import marshal
import pickle
import re
import sys
import types
from collections import defaultdict
from typing import Any

__all__ = [
    "UntrustedPickleError",
    "StrictUnpickler",
    "ALLOWED_CLASSES",
    "ALLOWED_CALLABLES",
    "safe_loads",
    "safe_load",
    "install",
    "uninstall",
    "installed",
    "audit",
    "allow",
]


class UntrustedPickleError(pickle.UnpicklingError):
    """A pickle in the index names or does something the allow-list does not allow."""


# Classes Whoosh and bgsearch pickle into an index (the schema, its fields, formats and analyzers,
# the segment and codec objects of the segment list). They are only ever created without calling
# their constructor and then given their attribute dict, as pickle protocol 2+ writes them.
ALLOWED_CLASSES: frozenset[tuple[str, str]] = frozenset(
    {
        ("whoosh.fields", "Schema"),
        ("whoosh.fields", "TEXT"),
        ("whoosh.fields", "ID"),
        ("whoosh.fields", "STORED"),
        ("whoosh.formats", "Existence"),
        ("whoosh.formats", "Positions"),
        ("whoosh.analysis.analyzers", "CompositeAnalyzer"),
        ("whoosh.analysis.filters", "LowercaseFilter"),
        ("whoosh.analysis.tokenizers", "IDTokenizer"),
        ("whoosh.codec.whoosh3", "W3Codec"),
        ("whoosh.codec.whoosh3", "W3Segment"),
        ("bgsearch.analysis.analyzer", "BulgarianAnalyzer"),
        ("bgsearch.analysis.analyzer", "BulgarianFilter"),
        ("bgsearch.analysis.tokenizer", "BulgarianTokenizer"),
    }
)


def _latin1(text: object, encoding: object = "latin1") -> bytes:
    """`_codecs.encode` as protocol 2 uses it for bytes: Latin-1 of a str, nothing else."""
    if type(text) is not str or encoding not in ("latin1", "latin-1", "latin_1"):
        raise UntrustedPickleError("_codecs.encode is allowed only to encode a str as latin1")
    return text.encode("latin-1")


def _frozenset(items: Any = ()) -> frozenset[Any]:
    if type(items) not in (list, tuple, set, frozenset):
        raise UntrustedPickleError("frozenset() is allowed only on a list, tuple or set")
    return frozenset(items)


def _defaultdict(factory: object = None, *rest: object) -> defaultdict[Any, Any]:
    if factory is not int or rest:
        raise UntrustedPickleError("defaultdict is allowed only as defaultdict(int)")
    return defaultdict(int)


def _regex(pattern: object, flags: object = 0) -> re.Pattern[Any]:
    """`re._compile`, as a pickled compiled pattern (a RegexTokenizer's) calls it."""
    if type(pattern) not in (str, bytes) or type(flags) is not int:
        raise UntrustedPickleError("re._compile is allowed only on a pattern string and int flags")
    return re.compile(pattern, flags)


def _empty_bytes(*args: object) -> bytes:
    """`bytes()`, as protocol 2 pickles b'' (Whoosh's sorted runs of postings, written when a
    writer's buffer is full, hold empty values)."""
    if args:
        raise UntrustedPickleError("bytes() is allowed only without arguments (b'')")
    return b""


# Functions a pickle may call, each replaced by a wrapper that accepts only the use Whoosh makes.
ALLOWED_CALLABLES: dict[tuple[str, str], Any] = {
    ("re", "_compile"): _regex,
    ("_codecs", "encode"): _latin1,
    ("builtins", "frozenset"): _frozenset,
    ("__builtin__", "frozenset"): _frozenset,  # protocol 2 names builtins so
    ("collections", "defaultdict"): _defaultdict,
    ("__builtin__", "bytes"): _empty_bytes,
    ("builtins", "bytes"): _empty_bytes,
}
# Globals a pickle may name as a value but never call.
_ALLOWED_VALUES: dict[tuple[str, str], Any] = {("builtins", "int"): int, ("__builtin__", "int"): int}
_CALLABLE_IDS = frozenset(id(f) for f in ALLOWED_CALLABLES.values())
# Stem functions of Whoosh's own that a StemFilter keeps (named, never called, while unpickling).
_WHOOSH_STEM_FUNCTIONS = (("whoosh.lang.porter", "stem"), ("whoosh.lang.porter2", "stem"))
# Classes and values added by `allow` (an application's own analyzers) and Whoosh's own schema
# vocabulary (found once, by `_whoosh_schema_vocabulary`).
_REGISTERED_CLASSES: set[tuple[str, str]] = set()


def _whoosh_schema_vocabulary() -> None:
    """Whoosh's own field types, formats, tokenizers, filters and analyzers, so that a Whoosh index
    an application built with them (around a BulgarianAnalyzer, say) opens too. Their objects are
    created without their constructors and given a plain attribute dict, like bgsearch's own."""
    import whoosh.analysis
    import whoosh.fields
    import whoosh.formats

    bases = (whoosh.analysis.Composable, whoosh.fields.FieldType, whoosh.fields.Schema, whoosh.formats.Format)
    modules = [whoosh.fields, whoosh.formats] + [module for name, module in list(sys.modules.items())
                                                 if name.startswith("whoosh.analysis.") and module is not None]
    for module in modules:
        for name, obj in vars(module).items():
            if isinstance(obj, type) and obj.__module__ == module.__name__ and issubclass(obj, bases):
                _REGISTERED_CLASSES.add((module.__name__, name))
    for module_name, name in _WHOOSH_STEM_FUNCTIONS:
        _ALLOWED_VALUES[(module_name, name)] = getattr(importlib.import_module(module_name), name)


def allow(module: str, name: str) -> None:
    """Let indexes name `module.name`: a class of an application's own analyzer (created without
    its constructor, given its attribute dict), or a function it keeps (a stem function: named,
    never called while reading). For Whoosh indexes that an application builds with its own
    analysis classes in a process that also uses bgsearch."""
    obj = getattr(importlib.import_module(module), name)
    if isinstance(obj, type):
        _REGISTERED_CLASSES.add((module, name))
    elif callable(obj):
        _ALLOWED_VALUES[(module, name)] = obj
    else:
        raise TypeError(f"{module}.{name} is neither a class nor a function")


def _resolve_class(module: str, name: str) -> type:
    # Only names already in the allow-list are imported, so no pickle can import anything else.
    obj = getattr(importlib.import_module(module), name)
    if not isinstance(obj, type):
        raise UntrustedPickleError(f"{module}.{name} is not a class")
    return obj


def _allowed_types() -> dict[type, tuple[str, str]]:
    return {_resolve_class(*key): key for key in ALLOWED_CLASSES | _REGISTERED_CLASSES}


def _refuse(opcode: str) -> Any:
    def load(self: Any) -> None:
        raise UntrustedPickleError(f"pickle opcode {opcode} is not allowed in an index")

    return load


_PyUnpickler: Any = pickle._Unpickler  # the pure-Python unpickler (the C one has no opcode hooks)


class StrictUnpickler(_PyUnpickler):
    """The pure-Python unpickler with an allow-list on globals and on what is done with them."""

    dispatch = dict(_PyUnpickler.dispatch)

    def __init__(self, file: Any) -> None:
        super().__init__(file)
        self._types = _allowed_types()

    def find_class(self, module: str, name: str) -> Any:
        key = (module, name)
        if key in ALLOWED_CALLABLES:
            return ALLOWED_CALLABLES[key]
        if key in _ALLOWED_VALUES:
            return _ALLOWED_VALUES[key]
        if key in ALLOWED_CLASSES or key in _REGISTERED_CLASSES:
            return _resolve_class(module, name)
        raise UntrustedPickleError(f"the index names {module}.{name}, which is not allowed")

    def load_reduce(self) -> None:
        stack = self.stack
        args = stack.pop()
        func = stack[-1]
        if id(func) not in _CALLABLE_IDS or type(args) is not tuple:
            raise UntrustedPickleError(f"the index calls {_describe(func)}, which is not allowed")
        stack[-1] = func(*args)

    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls: Any = self.stack.pop()
        if not isinstance(cls, type) or cls not in self._types or args != ():
            raise UntrustedPickleError(f"the index creates {_describe(cls)}, which is not allowed")
        new: Any = cls.__new__  # the class's own __new__, without arguments: no constructor runs
        self.append(new(cls))

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_build(self) -> None:
        stack = self.stack
        state = stack.pop()
        inst = stack[-1]
        if type(inst) not in self._types:
            raise UntrustedPickleError(f"the index sets the state of {_describe(inst)}, which is not allowed")
        if type(state) is not dict or not all(type(k) is str and not k.startswith("__") for k in state):
            raise UntrustedPickleError(f"the index gives {_describe(inst)} a state that is not a plain dict")
        setstate = getattr(type(inst), "__setstate__", None)
        if setstate is not None and setstate is not getattr(object, "__setstate__", None):
            setstate(inst, state)  # the allowed class's own code (it updates its __dict__)
        else:
            inst.__dict__.update(state)

    dispatch[pickle.BUILD[0]] = load_build

    for _name in ("INST", "OBJ", "NEWOBJ_EX", "EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID"):
        dispatch[getattr(pickle, _name)[0]] = _refuse(_name)
    del _name


def _describe(obj: object) -> str:
    if isinstance(obj, type) or callable(obj):
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
    return f"an object of type {type(obj).__module__}.{type(obj).__qualname__}"


class _NotData(Exception):
    """The fast path met a global other than Latin-1 bytes: read the pickle with StrictUnpickler."""


class _DataUnpickler(pickle.Unpickler):
    """The C unpickler, for pure data only. Without a class or function to name, no code can run."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("_codecs", "encode"):
            return _latin1
        raise _NotData


def safe_loads(data: Any, **_: Any) -> Any:
    """`pickle.loads` for data read from an index (keyword options of pickle.loads are ignored)."""
    try:
        # A BufferedReader lets the C unpickler read ahead (peek) instead of calling read() per
        # opcode: nearly the speed of pickle.loads (the posting blocks of every search come here).
        return _DataUnpickler(io.BufferedReader(io.BytesIO(data))).load()
    except _NotData:
        pass
    return _checked(StrictUnpickler(io.BytesIO(data)).load())


def safe_load(file: Any, **_: Any) -> Any:
    """`pickle.load` for a file of an index; reads exactly one pickle, as pickle.load does."""
    try:
        start = file.tell()
    except (AttributeError, OSError, ValueError):
        start = None
    if start is not None:
        try:
            return _DataUnpickler(file).load()
        except _NotData:
            file.seek(start)
    return _checked(StrictUnpickler(file).load())


_SEGMENT_ID = re.compile(r"[0-9a-z]{1,64}\Z")
_INDEX_NAME = re.compile(r"[A-Za-z0-9_]{1,64}\Z")


def _check_value(obj: Any, seen: set[int]) -> None:
    """Checks what a loaded structure holds where Whoosh uses it for file names."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            _check_value(item, seen)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _check_value(key, seen)
            _check_value(value, seen)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith(("whoosh.", "bgsearch.")):
        if type(obj).__name__ == "W3Segment":
            _check_segment(obj)
        for value in vars(obj).values():
            _check_value(value, seen)


def _check_segment(segment: Any) -> None:
    state = vars(segment)
    problems = []
    if not (isinstance(state.get("segid"), str) and _SEGMENT_ID.match(state["segid"])):
        problems.append("segment id")
    if not (isinstance(state.get("indexname"), str) and _INDEX_NAME.match(state["indexname"])):
        problems.append("index name")
    if type(state.get("_doccount")) is not int or state["_doccount"] < 0:
        problems.append("document count")
    deleted = state.get("_deleted")
    if deleted is not None and not (
        isinstance(deleted, (set, frozenset)) and all(type(d) is int and d >= 0 for d in deleted)
    ):
        problems.append("deleted documents")
    codec = state.get("_codec")
    if type(codec).__name__ != "W3Codec" or not all(
        type(v) is int and 0 <= v < 1 << 20 for v in vars(codec).values()
    ):
        problems.append("codec")
    if problems:
        raise UntrustedPickleError("the index's segment list has an invalid " + ", ".join(problems))


def _checked(obj: Any) -> Any:
    try:
        _check_value(obj, set())
    except RecursionError:
        raise UntrustedPickleError("the index holds a structure nested too deeply") from None
    return obj


# -- routing Whoosh's reads through the safe loaders ------------------------------------------------


class _SafePickleModule(types.ModuleType):
    """Stands in for the `pickle` module where Whoosh holds the module itself: `load`/`loads`/the
    unpicklers are the safe ones, everything else (dumps, PicklingError...) is pickle's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(pickle, name)


_SAFE_PICKLE = _SafePickleModule("pickle")
_SAFE_PICKLE.load = safe_load  # type: ignore[attr-defined]
_SAFE_PICKLE.loads = safe_loads  # type: ignore[attr-defined]
_SAFE_PICKLE.Unpickler = StrictUnpickler  # type: ignore[attr-defined]
_SAFE_PICKLE._Unpickler = StrictUnpickler  # type: ignore[attr-defined]


def _no_marshal(*_: Any, **__: Any) -> Any:
    raise UntrustedPickleError("marshal data is not read from an index")


class _RefusingUnpickler(StrictUnpickler):
    """Replaces Whoosh's RenamingUnpickler (old index formats), which resolves any name."""

    def __init__(self, file: Any, *_: Any, **__: Any) -> None:
        super().__init__(file)


# (module, attribute, replacement) — every name Whoosh 2.7.5 unpickles index data through:
_PATCHES: list[tuple[str, str, Any]] = [
    # whoosh.compat re-exports pickle's functions; modules imported after install() get safe ones.
    ("whoosh.compat", "load", safe_load),
    ("whoosh.compat", "loads", safe_loads),
    ("whoosh.compat", "pickle", _SAFE_PICKLE),
    # TOC.read: pickle.loads(schema); the segment list goes through StructFile.read_pickle.
    ("whoosh.index", "pickle", _SAFE_PICKLE),
    # Old TOC formats (-110) are read with RenamingUnpickler, which imports any name: not read.
    ("whoosh.index", "toc_loaders", {}),
    # StructFile.read_pickle: the segment list, compound-file directories, posting block headers,
    # column headers, FST roots.
    ("whoosh.filedb.structfile", "load_pickle", safe_load),
    # Posting blocks and inlined postings.
    ("whoosh.codec.whoosh3", "loads", safe_loads),
    ("whoosh.codec.whoosh2", "loads", safe_loads),
    ("whoosh.codec.plaintext", "loads", safe_loads),
    # PickleColumn: stored fields.
    ("whoosh.columns", "loads", safe_loads),
    # Positions, Characters, PositionBoosts... decode_* (posting values).
    ("whoosh.formats", "loads", safe_loads),
    # Sorted runs of the posting pool (files in MAIN.tmp).
    ("whoosh.externalsort", "load", safe_load),
    ("whoosh.filedb.misc", "loads", safe_loads),
    ("whoosh.filedb.misc", "depickle", safe_loads),
    ("whoosh.filedb.misc", "mloads", _no_marshal),
    ("whoosh.filedb.misc", "demarshal", _no_marshal),
    ("whoosh.multiproc", "pickle", _SAFE_PICKLE),
    ("whoosh.util.loading", "pickle", _SAFE_PICKLE),
    ("whoosh.util.loading", "RenamingUnpickler", _RefusingUnpickler),
    ("whoosh.legacy", "RenamingUnpickler", _RefusingUnpickler),
]

_saved: dict[tuple[str, str], Any] = {}


def _raw_loaders() -> dict[int, Any]:
    """Objects whose presence in a Whoosh module means an unsafe read path, mapped to their
    safe replacement."""
    raw: dict[int, Any] = {
        id(pickle.load): safe_load,
        id(pickle.loads): safe_loads,
        id(pickle._load): safe_load,  # type: ignore[attr-defined]
        id(pickle._loads): safe_loads,  # type: ignore[attr-defined]
        id(pickle): _SAFE_PICKLE,
        id(marshal.load): _no_marshal,
        id(marshal.loads): _no_marshal,
    }
    try:
        import _pickle

        raw.update({id(_pickle): _SAFE_PICKLE, id(_pickle.load): safe_load, id(_pickle.loads): safe_loads})
    except ImportError:  # pragma: no cover
        pass
    return raw


def _is_foreign_unpickler(value: Any) -> bool:
    return (
        isinstance(value, type)
        and issubclass(value, (pickle.Unpickler, _PyUnpickler))
        and not issubclass(value, (StrictUnpickler, _DataUnpickler))
    )


def audit() -> list[str]:
    """The `module.attribute` names of loaded `whoosh.*` modules that still hold a raw pickle or
    marshal loader (or the pickle module, or an unpickler class). Empty after `install()`."""
    raw = _raw_loaders()
    found = []
    for name, module in sorted(sys.modules.items()):
        if module is None or not (name == "whoosh" or name.startswith("whoosh.")):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in raw or _is_foreign_unpickler(value):
                found.append(f"{name}.{attr}")
    return found


def install() -> None:
    """Route every pickle read Whoosh does through the allow-list (idempotent, process-wide).

    Imports the Whoosh modules that read pickles (skipping those that cannot be imported at all, as
    whoosh.codec.whoosh2 in Whoosh 2.7.5: what cannot be imported cannot read either), replaces the names in `_PATCHES`, then sweeps
    every loaded `whoosh.*` module for any other reference to a raw loader and replaces it too;
    raises RuntimeError if one remains (a Whoosh version this module does not know)."""
    _whoosh_schema_vocabulary()
    for module_name, attr, replacement in _PATCHES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # broken in Whoosh 2.7.5 (whoosh.codec.whoosh2): unusable, so harmless
            continue
        key = (module_name, attr)
        if key not in _saved:
            _saved[key] = getattr(module, attr)
        setattr(module, attr, replacement)
    raw = _raw_loaders()
    for found in audit():
        module_name, attr = found.rsplit(".", 1)
        module = sys.modules[module_name]
        value = getattr(module, attr)
        replacement = _RefusingUnpickler if _is_foreign_unpickler(value) else raw[id(value)]
        _saved.setdefault((module_name, attr), value)
        setattr(module, attr, replacement)
    left = audit()
    if left:  # pragma: no cover
        raise RuntimeError(f"unsafe pickle readers left in Whoosh: {left}")


def uninstall() -> None:
    """Put Whoosh's own names back (for tests)."""
    for (module_name, attr), value in _saved.items():
        setattr(sys.modules[module_name], attr, value)
    _saved.clear()


def installed() -> bool:
    return bool(_saved) and not audit()
