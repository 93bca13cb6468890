"""pipcanary static fact extractor.

Reads {"files": [{"id", "source"}], "interest": {...}, "blob_min": n} as JSON on stdin and
writes one JSON object per file (JSON lines) to stdout. It only parses the sources with `ast`:
it never imports, compiles to bytecode or executes any of the analysed code, so it may run on
untrusted packages (pipcanary also runs it without network inside the sandbox when it can).

`source` is the file's bytes mapped one-to-one onto code points 0-255 (latin-1), so the
interpreter sees exactly the bytes of the archive, including any coding cookie.
"""
import ast
import base64
import binascii
import builtins
import bz2
import codecs
import json
import lzma
import operator
import re
import signal
import sys
import warnings
import zlib

MAX_VALUES = 8
MAX_CONST = 1 << 20
MAX_SINKS = 48
MAX_HOPS = 4
MAX_DEPTH = 48
HOP_COST = 10
MAX_NESTED = 3
MAX_TEST_HOPS = 2
MAX_CALLBACKS = 16
MAX_IMPORT_FUNCTIONS = 256
# Methods that run when a class is called (and when a Thread subclass is started).
CONSTRUCTOR_METHODS = frozenset(("__init__", "__new__", "__post_init__", "run"))
SNIPPET = 200
VALUE_MAX = 512
FILE_SECONDS = 30
BUILTIN_NAMES = frozenset(dir(builtins))
BUILTIN_PREFIXES = ("builtins.", "__builtin__.", "__builtins__.")
EXEC_FAMILY = frozenset(("exec", "eval", "compile"))
FILE_READERS = frozenset(("open", "io.open", "codecs.open"))
# Calls that run another file of the package: (name, index of the path argument).
FILE_RUNNERS = {"runpy.run_path": 0, "imp.load_source": 1, "importlib.machinery.SourceFileLoader": 1,
                "importlib.util.spec_from_file_location": 1, "execfile": 0}
ENV_GETTERS = {
    "os.environ.get": "get", "os.getenv": "getenv", "os.environ.setdefault": "setdefault",
    "os.environ.pop": "pop", "os.environ.__getitem__": "getitem", "os.getenvb": "getenv",
    "os.environb.get": "get", "os.environb.__getitem__": "getitem",
}
ENV_OBJECTS = frozenset(("os.environ", "os.environb"))
ENV_ATTRS = frozenset(("environ", "environb"))
ENV_SINGLE_METHODS = frozenset(("get", "setdefault", "pop", "__getitem__", "__contains__", "__setitem__",
                                "__delitem__", "update", "putenv", "unsetenv", "clear"))
PATH_CALLS = frozenset(("os.path.join", "posixpath.join", "ntpath.join", "os.path.expanduser", "os.path.expandvars",
                        "os.path.abspath", "os.path.realpath", "os.path.normpath", "pathlib.Path", "pathlib.PurePath",
                        "pathlib.PosixPath", "pathlib.PurePosixPath", "pathlib.WindowsPath", "pathlib.Path().joinpath",
                        "pathlib.Path().expanduser", "str.format"))
HOME_EXPRS = frozenset(("pathlib.Path.home", "os.path.expanduser", "pathlib.Path().home"))
COMMAND_BASES = {
    "install": "install", "develop": "develop", "egg_info": "egg_info", "build_py": "build_py",
    "build_ext": "build_ext", "sdist": "sdist", "bdist_wheel": "bdist_wheel", "build": "build",
    "install_lib": "install_lib", "install_scripts": "install_scripts", "bdist_egg": "bdist_egg",
    "editable_wheel": "editable_wheel", "install_data": "install_data", "build_clib": "build_clib",
}
SETUP_CALLS = frozenset(("setup", "setuptools.setup", "distutils.core.setup", "setuptools.setup()"))
BASE64_RE = re.compile(rb"^[A-Za-z0-9+/=_\-\s]+$")
HEX_RE = re.compile(rb"^[0-9a-fA-F\s]+$")
DECODERS = {
    "base64.b64decode": base64.b64decode, "base64.standard_b64decode": base64.standard_b64decode,
    "base64.urlsafe_b64decode": base64.urlsafe_b64decode, "base64.b32decode": base64.b32decode,
    "base64.b16decode": base64.b16decode, "base64.b85decode": base64.b85decode,
    "base64.a85decode": base64.a85decode, "base64.decodebytes": base64.decodebytes,
    "binascii.a2b_base64": binascii.a2b_base64, "binascii.unhexlify": binascii.unhexlify,
    "binascii.a2b_hex": binascii.a2b_hex, "bytes.fromhex": bytes.fromhex,
}
# Items one file may fold from comprehensions and map() (XOR decoders): a hostile file cannot make it slow.
SEQUENCE_ITEMS = 1 << 18
INT_OPS = {ast.BitXor: operator.xor, ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.Mod: operator.mod,
           ast.Add: operator.add, ast.Sub: operator.sub, ast.FloorDiv: operator.floordiv}
ITEM_FUNCS = {"ord": ord, "chr": chr, "len": len}
XOR_FUNCS = frozenset(("operator.xor", "operator.__xor__"))
SEQUENCE_BUILDERS = frozenset(("bytes", "bytearray", "str.join", "bytes.join"))
# Pseudo call name given to XOR decoders, so that rules can name them in `inputs`.
XOR_NAME = "<xor>"
TEXT_CODECS = frozenset(("rot13", "rot_13", "hex", "hex_codec", "base64", "base64_codec", "zlib", "zlib_codec",
                         "bz2", "bz2_codec", "utf-8", "utf8", "ascii", "latin-1", "latin1", "utf-16", "unicode_escape"))


def normalize(name):
    for prefix in BUILTIN_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def bounded(decompressor, data):
    out = decompressor.decompress(data, MAX_CONST)
    return out if len(out) < MAX_CONST else None


def safe_decompress(name, data):
    if name in ("zlib.decompress",):
        return bounded(zlib.decompressobj(), data)
    if name == "gzip.decompress":
        return bounded(zlib.decompressobj(31), data)
    if name == "lzma.decompress":
        return bounded(lzma.LZMADecompressor(), data)
    if name == "bz2.decompress":
        return bounded(bz2.BZ2Decompressor(), data)
    return None


class Interest:
    def __init__(self, spec):
        sources = spec.get("calls") or []
        self.calls = re.compile("|".join(sources), re.S) if sources else None
        tokens = spec.get("strings")
        self.all_strings = tokens is None
        # Lower-casing the value and matching lower-case tokens is much faster than re.I.
        self.tokens = re.compile("|".join(re.escape(t.lower()) for t in tokens)) if tokens else None
        attributes = spec.get("attributes") or []
        self.attributes = re.compile("|".join(attributes), re.S) if attributes else None
        leaves = spec.get("attributeLeaves") or []
        self.leaves = re.compile("|".join(leaves), re.S) if leaves else None

    def call(self, names):
        return self.calls is not None and any(self.calls.match(n) for n in names)

    def attribute(self, name):
        return self.attributes is not None and self.attributes.match(name) is not None

    def attribute_leaf(self, attr):
        return self.leaves is not None and self.leaves.match(attr) is not None

    def string(self, value):
        if self.all_strings:
            return True
        return self.tokens is not None and self.tokens.search(value.lower()) is not None


class Scope:
    __slots__ = ("id", "kind", "parent", "node", "bindings", "globals", "stars", "qualname")

    def __init__(self, sid, kind, parent, node, qualname):
        self.id = sid
        self.kind = kind
        self.parent = parent
        self.node = node
        self.bindings = {}
        self.globals = set()
        self.stars = []
        self.qualname = qualname

    def bind(self, name, record):
        self.bindings.setdefault(name, []).append(record)


class FileFacts:
    def __init__(self, tree, lines, interest, blob_min, depth, line_override, budget=None):
        self.tree = tree
        self.lines = lines
        self.interest = interest
        self.blob_min = blob_min
        self.depth = depth
        self.line_override = line_override
        self.parent = {}
        self.scope_of = {}
        self.scopes = []
        self.refs = {}
        self.resolve_memo = {}
        self.const_memo = {}
        self.by_type = {kind: [] for kind in COLLECTED}
        self.sink_memo = {}
        self.sequence_memo = {}
        self._import_scopes = None
        self._helpers = None
        self.test_memo = {}
        # Shared with code analysed from exec'd strings, so nesting cannot multiply the work.
        self.budget = budget if budget is not None else [SEQUENCE_ITEMS]
        self.facts = []
        self.imports = []
        self.index()

    # ---- indexing -------------------------------------------------------------------------
    def new_scope(self, kind, parent, node, name):
        qual = name if parent is None or parent.qualname == "" else parent.qualname + "." + name
        scope = Scope(len(self.scopes), kind, parent, node, qual)
        self.scopes.append(scope)
        return scope

    def index(self):
        """One pass over the tree: parents, scopes, bindings, name references, and the nodes of the
        kinds the fact emitters look at (so later passes never walk the whole tree again)."""
        module = self.new_scope("module", None, self.tree, "")
        stack = [(self.tree, None, module)]
        names = []
        parent_of = self.parent
        scope_of = self.scope_of
        by_type = self.by_type
        binders = BINDERS
        ast_node = ast.AST
        while stack:
            node, parent, scope = stack.pop()
            if parent is not None:
                parent_of[node] = parent
            scope_of[node] = scope
            kind = type(node)
            collected = by_type.get(kind)
            if collected is not None:
                collected.append(node)
            if kind in SCOPE_NODES:
                self.index_scope_node(node, scope, stack)
                continue
            binder = binders.get(kind)
            if binder is not None:
                binder(self, node, scope)
            if kind is ast.Name:
                if type(node.ctx) is ast.Load:
                    names.append((node, scope))
                continue
            # Children are pushed last-first so that they are visited (and bound) in source order.
            mark = len(stack)
            for field in kind._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast_node):
                            stack.append((item, node, scope))
                elif isinstance(value, ast_node):
                    stack.append((value, node, scope))
            if len(stack) - mark > 1:
                stack[mark:] = stack[mark:][::-1]
        for node, scope in names:
            owner = self.owner_scope(node.id, scope)
            if owner is not None:
                self.refs.setdefault((owner.id, node.id), []).append(node)

    def index_scope_node(self, node, scope, stack):
        if isinstance(node, ast.ClassDef):
            scope.bind(node.name, ("def", node))
            inner = self.new_scope("class", scope, node, node.name)
            for child in node.decorator_list + node.bases + [k.value for k in node.keywords]:
                stack.append((child, node, scope))
            for child in reversed(node.body):
                stack.append((child, node, inner))
            return
        name = getattr(node, "name", "<lambda>")
        if not isinstance(node, ast.Lambda):
            scope.bind(name, ("def", node))
        inner = self.new_scope("function", scope, node, name)
        args = node.args
        for child in list(getattr(node, "decorator_list", [])) + args.defaults + [d for d in args.kw_defaults if d is not None]:
            stack.append((child, node, scope))
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                inner.bind(arg.arg, ("param", None))
        for child in reversed(node.body if isinstance(node.body, list) else [node.body]):
            stack.append((child, node, inner))

    def bind_import(self, node, scope):
        for alias in node.names:
            if alias.asname:
                scope.bind(alias.asname, ("import", alias.name))
            else:
                top = alias.name.split(".")[0]
                scope.bind(top, ("import", top))
            self.imports.append({"module": alias.name, "level": 0, "names": []})

    def bind_import_from(self, node, scope):
        module = node.module or ""
        prefix = "." * node.level + module
        for alias in node.names:
            if alias.name == "*":
                scope.stars.append(prefix)
                continue
            target = prefix + "." + alias.name if module else prefix + alias.name
            scope.bind(alias.asname or alias.name, ("import", target))
        self.imports.append({"module": module, "level": node.level, "names": [a.name for a in node.names]})

    def bind_assign(self, node, scope):
        for target in node.targets:
            self.bind_target(target, node.value, scope)

    def bind_annotated(self, node, scope):
        if node.value is not None and isinstance(node.target, ast.Name):
            scope.bind(node.target.id, ("aug" if isinstance(node, ast.AugAssign) else "value", node.value))

    def bind_named(self, node, scope):
        scope.bind(node.target.id, ("value", node.value))

    def bind_loop(self, node, scope):
        for name in target_names(node.target):
            scope.bind(name, ("iter", node.iter))

    def bind_with(self, node, scope):
        if node.optional_vars is not None:
            for name in target_names(node.optional_vars):
                scope.bind(name, ("value", node.context_expr))

    def bind_global(self, node, scope):
        scope.globals.update(node.names)

    def bind_handler(self, node, scope):
        if node.name:
            scope.bind(node.name, ("param", None))

    def bind_target(self, target, value, scope):
        if isinstance(target, ast.Name):
            scope.bind(target.id, ("value", value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) else None
            for i, elt in enumerate(target.elts):
                if values is not None:
                    self.bind_target(elt, values[i], scope)
                else:
                    for name in target_names(elt):
                        scope.bind(name, ("param", None))

    def owner_scope(self, name, scope):
        first = True
        current = scope
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.globals:
                return self.scopes[0] if name in self.scopes[0].bindings else None
            if name in current.bindings:
                return current
            first = False
            current = current.parent
        return None

    def module_stars(self, scope):
        current = scope
        stars = []
        while current is not None:
            stars.extend(current.stars)
            current = current.parent
        return stars

    # ---- name resolution ------------------------------------------------------------------
    def resolve_name(self, name, scope, depth):
        owner = self.owner_scope(name, scope)
        if owner is None:
            if name in BUILTIN_NAMES or name == "__builtins__":
                return [name]
            stars = self.module_stars(scope)
            if stars:
                return unique([s + "." + name for s in stars] + [name])
            return [name]
        out = []
        for kind, value in owner.bindings[name]:
            if kind == "import":
                out.append(value)
            elif kind == "def":
                out.append(name)
            elif kind == "value" and depth < MAX_HOPS:
                if isinstance(value, ast.Call):
                    out.extend(self.call_result(value, self.scope_of.get(value, owner), depth + 1))
                elif isinstance(value, (ast.Name, ast.Attribute, ast.Subscript)):
                    out.extend(self.resolve(value, self.scope_of.get(value, owner), depth + 1))
            elif kind == "iter" and depth < MAX_HOPS and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
                for elt in value.elts:
                    if isinstance(elt, (ast.Name, ast.Attribute)):
                        out.extend(self.resolve(elt, self.scope_of.get(elt, owner), depth + 1))
        return unique(out)

    def resolve(self, expr, scope, depth=0):
        key = id(expr)
        if key in self.resolve_memo:
            return self.resolve_memo[key]
        self.resolve_memo[key] = []
        result = [normalize(n) for n in self.resolve_uncached(expr, scope, depth)]
        result = unique(result)[:MAX_VALUES]
        self.resolve_memo[key] = result
        return result

    def resolve_uncached(self, expr, scope, depth):
        if isinstance(expr, ast.Name):
            return self.resolve_name(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            value = expr.value
            if isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
                return [type(value.value).__name__ + "." + expr.attr]
            bases = self.resolve(value, scope, depth)
            if bases:
                return [b + "." + expr.attr for b in bases]
            return ["." + expr.attr]
        if isinstance(expr, ast.Call):
            return self.call_result(expr, scope, depth)
        if isinstance(expr, ast.Subscript):
            keys = self.const_strings(expr.slice, scope, depth)
            if not keys:
                return []
            value = expr.value
            if isinstance(value, ast.Call):
                fn = self.resolve(value.func, scope, depth)
                if ("vars" in fn) and value.args:
                    bases = self.resolve(value.args[0], scope, depth)
                    return [b + "." + k for b in bases for k in keys]
                if "globals" in fn or "locals" in fn:
                    return keys
            bases = self.resolve(value, scope, depth)
            out = []
            for base in bases:
                if base == "sys.modules":
                    out.extend(keys)
                elif base.endswith(".__dict__"):
                    out.extend(base[: -len(".__dict__")] + "." + k for k in keys)
                elif base in ("__builtins__", "builtins.__dict__"):
                    out.extend(keys)
            return out
        return []

    def call_result(self, call, scope, depth=0):
        names = self.resolve(call.func, scope, depth)
        out = []
        for name in names:
            if name == "__import__" and call.args:
                for module in self.const_strings(call.args[0], scope, depth):
                    fromlist = len(call.args) >= 4 or any(k.arg == "fromlist" for k in call.keywords)
                    out.append(module if fromlist else module.split(".")[0])
            elif name in ("importlib.import_module", "importlib.__import__") and call.args:
                out.extend(self.const_strings(call.args[0], scope, depth))
            elif name == "getattr" and len(call.args) >= 2:
                bases = self.resolve(call.args[0], scope, depth) or [""]
                for attr in self.const_strings(call.args[1], scope, depth):
                    out.extend(b + "." + attr for b in bases)
            elif name in ("sys.modules.get", "sys.modules.__getitem__") and call.args:
                out.extend(self.const_strings(call.args[0], scope, depth))
            else:
                out.append(name + "()")
        return out

    # ---- constant folding -----------------------------------------------------------------
    def const_strings(self, expr, scope, depth=0):
        return [v for v, _ in self.const_values(expr, scope, depth) if isinstance(v, str)]

    def const_values(self, expr, scope, depth=0):
        """Possible constant values of `expr` as (value, decoded) pairs; [] when unknown."""
        if depth > MAX_DEPTH:
            return []
        try:
            return self.const_values_uncached(expr, scope, depth)[:MAX_VALUES]
        except (ValueError, TypeError, binascii.Error, lzma.LZMAError, OSError, OverflowError, MemoryError,
                UnicodeError, IndexError, zlib.error, LookupError, RecursionError, ArithmeticError):
            return []

    def const_values_uncached(self, expr, scope, depth):
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, (str, bytes)):
                return [(expr.value, False)]
            if isinstance(expr.value, int) and not isinstance(expr.value, bool):
                return [(expr.value, False)]
            return []
        if isinstance(expr, ast.Name):
            owner = self.owner_scope(expr.id, scope)
            if owner is None:
                return []
            key = (owner.id, expr.id)
            if key not in self.const_memo:
                self.const_memo[key] = []
                self.const_memo[key] = self.binding_values(owner, expr.id, depth + HOP_COST)
            return self.const_memo[key]
        if isinstance(expr, ast.JoinedStr):
            parts = [""]
            for value in expr.values:
                got = self.const_values(value.value if isinstance(value, ast.FormattedValue) else value, scope, depth + 1)
                got = [g for g in got if isinstance(g[0], (str, int))]
                if not got:
                    return []
                parts = [p + str(g[0]) for p in parts for g in got][:MAX_VALUES]
            return [(p, False) for p in parts]
        if isinstance(expr, ast.BinOp):
            left = self.const_values(expr.left, scope, depth + 1)
            right = self.const_values(expr.right, scope, depth + 1)
            if not left or not right:
                return []
            out = []
            for lv, ld in left:
                for rv, rd in right:
                    if isinstance(expr.op, ast.Add) and type(lv) is type(rv) and not isinstance(lv, int):
                        if len(lv) + len(rv) <= MAX_CONST:
                            out.append((lv + rv, ld or rd))
                    elif isinstance(expr.op, ast.Mod) and isinstance(lv, str) and isinstance(rv, (str, int)):
                        out.append((lv % rv, ld or rd))
            return out
        if isinstance(expr, ast.Subscript):
            values = self.const_values(expr.value, scope, depth + 1)
            sl = expr.slice
            out = []
            for value, decoded in values:
                if isinstance(value, int):
                    continue
                if isinstance(sl, ast.Slice):
                    bounds = []
                    for part in (sl.lower, sl.upper, sl.step):
                        if part is None:
                            bounds.append(None)
                        else:
                            got = self.const_values(part, scope, depth + 1)
                            if len(got) != 1 or not isinstance(got[0][0], int):
                                return []
                            bounds.append(got[0][0])
                    out.append((value[bounds[0]:bounds[1]:bounds[2]], decoded))
            return out
        if isinstance(expr, (ast.List, ast.Tuple)):
            return []
        if isinstance(expr, ast.Call):
            return self.fold_call(expr, scope, depth)
        return []

    def binding_values(self, owner, name, depth):
        out = []
        for kind, value in owner.bindings[name]:
            if kind == "value":
                got = self.const_values(value, self.scope_of.get(value, owner), depth)
                if not got:
                    return []
                out.extend(got)
            elif kind == "iter" and isinstance(value, (ast.List, ast.Tuple, ast.Set)):
                for elt in value.elts:
                    out.extend(self.const_values(elt, self.scope_of.get(elt, owner), depth))
            else:
                return []
        return out

    def int_list(self, expr, scope, depth):
        if isinstance(expr, ast.Name):
            owner = self.owner_scope(expr.id, scope)
            if owner is None or len(owner.bindings[expr.id]) != 1:
                return None
            kind, value = owner.bindings[expr.id][0]
            return self.int_list(value, self.scope_of.get(value, owner), depth + HOP_COST) if kind == "value" and depth < MAX_DEPTH else None
        if not isinstance(expr, (ast.List, ast.Tuple)):
            return None
        out = []
        for elt in expr.elts:
            got = self.const_values(elt, scope, depth + 1)
            if len(got) != 1 or not isinstance(got[0][0], int):
                return None
            out.append(got[0][0])
        return out

    # ---- sequence folding: chr-joins and XOR decoders --------------------------------------
    def sequence_of(self, arg, scope, depth, env=None):
        """Items of a comprehension or map() over constant data (`b ^ k for b in DATA`, `map(chr, [..])`);
        None when unknown. Loop-free work per item is small; SEQUENCE_ITEMS bounds the items per file."""
        if not is_sequence_expr(arg):
            return None
        key = id(arg)
        if env is None and key in self.sequence_memo:
            return self.sequence_memo[key]
        try:
            items = self.fold_sequence(arg, scope, depth, env)
        except (TypeError, ValueError, IndexError, KeyError, ArithmeticError, RecursionError, MemoryError):
            items = None
        if env is None:
            self.sequence_memo[key] = items
        return items

    def fold_sequence(self, expr, scope, depth, env):
        if isinstance(expr, (ast.GeneratorExp, ast.ListComp)):
            if len(expr.generators) != 1:
                return None
            gen = expr.generators[0]
            if gen.ifs or gen.is_async:
                return None
            item = self.compile_item(expr.elt, scope, depth, frozenset(target_names(gen.target)), env)
            items = self.sequence_items(gen.iter, scope, depth, env)
            if item is None or not isinstance(items, list):
                return None
            out = []
            for value in items:
                bound = {}
                if not bind_item(gen.target, value, bound):
                    return None
                out.append(item(bound))
            return out
        if not expr.args or expr.keywords or self.resolve(expr.func, scope, depth) != ["map"]:
            return None
        fn = expr.args[0]
        parts = [self.sequence_items(a, scope, depth, env) for a in expr.args[1:]]
        rows = zip_items(parts)
        if rows is None:
            return None
        if isinstance(fn, ast.Lambda):
            params = [a.arg for a in fn.args.args]
            if len(params) != len(parts) or fn.args.vararg or fn.args.kwonlyargs or fn.args.posonlyargs:
                return None
            item = self.compile_item(fn.body, self.scope_of.get(fn.body, scope), depth, frozenset(params), env)
            return None if item is None else [item(dict(zip(params, row))) for row in rows]
        names = self.resolve(fn, scope, depth)
        if len(names) != 1:
            return None
        if names[0] in XOR_FUNCS and len(parts) == 2:
            return [int_op(operator.xor, a, b) for a, b in rows]
        if names[0] in ITEM_FUNCS and len(parts) == 1:
            return [ITEM_FUNCS[names[0]](a) for (a,) in rows]
        return None

    def sequence_items(self, expr, scope, depth, env):
        """The items of an iterable of constants: a list, a Cycle (only meaningful inside zip), or None."""
        if is_sequence_expr(expr):
            items = self.sequence_of(expr, scope, depth, env)
        elif isinstance(expr, ast.Call) and not expr.keywords:
            items = self.iterator_items(expr, scope, depth, env)
        else:
            value = self.constant_operand(expr, scope, depth, env)
            items = list(value) if isinstance(value, (str, bytes, tuple)) else None
        if isinstance(items, list):
            self.budget[0] -= len(items)
            if self.budget[0] < 0:
                return None
        return items

    def iterator_items(self, call, scope, depth, env):
        names = self.resolve(call.func, scope, depth)
        args = call.args
        if names == ["zip"]:
            return zip_items([self.sequence_items(a, scope, depth, env) for a in args])
        if names == ["enumerate"] and len(args) == 1:
            items = self.sequence_items(args[0], scope, depth, env)
            return list(enumerate(items)) if isinstance(items, list) else None
        if names == ["range"] and 1 <= len(args) <= 3:
            bounds = [self.constant_operand(a, scope, depth, env) for a in args]
            if not all(type(b) is int for b in bounds):
                return None
            numbers = range(*bounds)
            return list(numbers) if len(numbers) <= self.budget[0] else None
        if names == ["itertools.cycle"] and len(args) == 1:
            items = self.sequence_items(args[0], scope, depth, env)
            return Cycle(items) if isinstance(items, list) and items else None
        if names == ["itertools.repeat"] and len(args) == 1:
            value = self.constant_operand(args[0], scope, depth, env)
            return None if value is None else Cycle([value])
        value = self.constant_operand(call, scope, depth, env)
        return list(value) if isinstance(value, (str, bytes)) else None

    def constant_operand(self, expr, scope, depth, env):
        """One constant (int, str, bytes, or a tuple for a list of ints) or None."""
        if isinstance(expr, ast.Name) and env is not None and expr.id in env:
            return env[expr.id]
        got = self.const_values(expr, scope, depth + 1)
        if len(got) == 1 and isinstance(got[0][0], (int, str, bytes)):
            return got[0][0]
        ints = self.int_list(expr, scope, depth)
        return tuple(ints) if ints is not None else None

    def compile_item(self, expr, scope, depth, loop, env):
        """A function of the loop variables computing `expr`, for the operations decoders use
        (^ & | % + - //, ~, indexing, ord/chr/len); None for anything else."""
        if isinstance(expr, ast.Name) and expr.id in loop:
            name = expr.id
            return lambda bound: bound[name]
        if isinstance(expr, ast.BinOp):
            op = INT_OPS.get(type(expr.op))
            left = self.compile_item(expr.left, scope, depth, loop, env)
            right = self.compile_item(expr.right, scope, depth, loop, env)
            if op is None or left is None or right is None:
                return None
            return lambda bound: int_op(op, left(bound), right(bound))
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Invert):
            inner = self.compile_item(expr.operand, scope, depth, loop, env)
            return None if inner is None else (lambda bound: int_op(operator.xor, inner(bound), -1))
        if isinstance(expr, ast.Subscript) and not isinstance(expr.slice, ast.Slice):
            base = self.compile_item(expr.value, scope, depth, loop, env)
            index = self.compile_item(expr.slice, scope, depth, loop, env)
            if base is None or index is None:
                return None
            return lambda bound: base(bound)[index(bound)]
        if isinstance(expr, ast.Call):
            names = self.resolve(expr.func, scope, depth)
            if len(expr.args) != 1 or expr.keywords or len(names) != 1 or names[0] not in ITEM_FUNCS:
                return None
            fn = ITEM_FUNCS[names[0]]
            inner = self.compile_item(expr.args[0], scope, depth, loop, env)
            return None if inner is None else (lambda bound: fn(inner(bound)))
        value = self.constant_operand(expr, scope, depth, env)
        if value is None or isinstance(value, bool):
            return None
        return lambda bound: value

    def fold_builder(self, call, scope, depth, env=None):
        """bytes(...), bytearray(...) or sep.join(...) over a folded sequence → [(value, True)]."""
        if len(call.args) != 1 or call.keywords:
            return []
        items = self.sequence_of(call.args[0], scope, depth, env)
        if items is None:
            return []
        out = []
        for name in self.resolve(call.func, scope, depth):
            if name in ("bytes", "bytearray") and all(type(i) is int and 0 <= i < 256 for i in items):
                out.append((bytes(items), True))
            elif name in ("str.join", "bytes.join") and isinstance(call.func, ast.Attribute):
                for sep, _ in self.const_values(call.func.value, scope, depth + 1):
                    if isinstance(sep, (str, bytes)) and all(type(i) is type(sep) for i in items):
                        out.append((sep.join(items), True))
        return out

    def helper_builder(self, call, scope):
        """(function, returned call) when `call` calls a local one-line helper such as
        `def x(d, k): return bytes(...)`; None otherwise."""
        if self._helpers is None:
            self._helpers = {n.name for n in self.by_type[ast.FunctionDef] if returned_builder(n) is not None}
        if not isinstance(call.func, ast.Name) or call.func.id not in self._helpers:
            return None
        owner = self.owner_scope(call.func.id, scope)
        if owner is None or len(owner.bindings[call.func.id]) != 1:
            return None
        kind, node = owner.bindings[call.func.id][0]
        returned = returned_builder(node) if kind == "def" and isinstance(node, ast.FunctionDef) else None
        return None if returned is None else (node, returned)

    def fold_helper(self, call, scope, depth):
        """A call of a local one-line decoder helper, folded with its constant arguments."""
        helper = self.helper_builder(call, scope)
        if helper is None:
            return []
        node, returned = helper
        args = node.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or len(call.args) != len(args.args) or call.keywords:
            return []
        env = {}
        for param, arg in zip(args.args, call.args):
            value = self.constant_operand(arg, scope, depth, None)
            if value is None:
                return []
            env[param.arg] = value
        return self.fold_builder(returned, self.scope_of[returned], depth + 1, env)

    def is_xor_decoder(self, call, scope):
        """bytes/bytearray/join over a comprehension or map() that XORs each item (constant or not)."""
        if len(call.args) != 1 or not is_sequence_expr(call.args[0]):
            return False
        if not any(n in SEQUENCE_BUILDERS for n in self.resolve(call.func, scope)):
            return False
        for node in ast.walk(call.args[0]):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor):
                return True
            if isinstance(node, (ast.Name, ast.Attribute)) and any(n in XOR_FUNCS for n in self.resolve(node, self.scope_of.get(node, scope))):
                return True
        return False

    def fold_call(self, call, scope, depth):
        names = self.resolve(call.func, scope, depth)
        args = call.args
        if len(args) == 1 and is_sequence_expr(args[0]) and any(n in SEQUENCE_BUILDERS for n in names):
            return self.fold_builder(call, scope, depth)
        if isinstance(call.func, ast.Name) and names == [call.func.id]:
            folded = self.fold_helper(call, scope, depth)
            if folded:
                return folded
        out = []
        for name in names:
            if name in ("str.join", "bytes.join") and len(args) == 1 and isinstance(call.func, ast.Attribute):
                seps = self.const_values(call.func.value, scope, depth + 1)
                arg = args[0]
                if isinstance(arg, ast.Call) and self.resolve(arg.func, scope, depth) == ["reversed"] and arg.args:
                    out.extend((s.join(reversed(v)), d) for s, _ in seps for v, d in self.const_values(arg.args[0], scope, depth + 1)
                               if type(s) is type(v))
                elif isinstance(arg, (ast.List, ast.Tuple)):
                    parts = []
                    for elt in arg.elts:
                        got = self.const_values(elt, scope, depth + 1)
                        if len(got) != 1:
                            parts = None
                            break
                        parts.append(got[0][0])
                    if parts is not None:
                        for sep, _ in seps:
                            if all(type(p) is type(sep) for p in parts):
                                out.append((sep.join(parts), False))
            elif name == "chr" and len(args) == 1:
                out.extend((chr(v), True) for v, _ in self.const_values(args[0], scope, depth + 1) if isinstance(v, int))
            elif name == "ord" and len(args) == 1:
                out.extend((ord(v), d) for v, d in self.const_values(args[0], scope, depth + 1) if isinstance(v, str) and len(v) == 1)
            elif name in DECODERS and args:
                for value, _ in self.const_values(args[0], scope, depth + 1):
                    if isinstance(value, (str, bytes)) and len(value) <= MAX_CONST:
                        out.append((DECODERS[name](value), True))
            elif name in ("zlib.decompress", "gzip.decompress", "lzma.decompress", "bz2.decompress") and args:
                for value, _ in self.const_values(args[0], scope, depth + 1):
                    if isinstance(value, bytes):
                        got = safe_decompress(name, value)
                        if got is not None:
                            out.append((got, True))
            elif name == "codecs.decode" and args:
                codec = self.const_strings(args[1], scope, depth + 1) if len(args) > 1 else ["utf-8"]
                for value, _ in self.const_values(args[0], scope, depth + 1):
                    for c in codec:
                        if c.lower() in TEXT_CODECS and isinstance(value, (str, bytes)):
                            out.append((codecs.decode(value, c), True))
            elif (name.endswith(".decode") or name.endswith(".encode")) and isinstance(call.func, ast.Attribute):
                codec = self.const_strings(args[0], scope, depth + 1) if args else ["utf-8"]
                for value, decoded in self.const_values(call.func.value, scope, depth + 1):
                    for c in codec:
                        if c.lower() not in TEXT_CODECS:
                            continue
                        if name.endswith(".decode") and isinstance(value, bytes):
                            out.append((value.decode(c), decoded or c.lower() not in ("utf-8", "utf8", "ascii")))
                        elif name.endswith(".encode") and isinstance(value, str):
                            out.append((value.encode(c), decoded))
            elif name in ("bytes", "bytearray") and len(args) == 1:
                ints = self.int_list(args[0], scope, depth)
                if ints is not None and all(0 <= i < 256 for i in ints):
                    out.append((bytes(ints), True))
            elif name == "str" and len(args) == 1:
                out.extend(v for v in self.const_values(args[0], scope, depth + 1) if isinstance(v[0], str))
        return [(v, d) for v, d in out if not isinstance(v, (str, bytes)) or len(v) <= MAX_CONST]

    # ---- partial path strings -------------------------------------------------------------
    def path_value(self, expr, scope, depth=0):
        """A path-like rendering of `expr`: constants kept, `~` for the home directory, `{}` for unknowns."""
        if depth > MAX_DEPTH:
            return "{}"
        consts = self.const_strings(expr, scope, depth)
        if len(consts) == 1:
            return consts[0]
        if isinstance(expr, ast.Name):
            owner = self.owner_scope(expr.id, scope)
            if owner is not None and len(owner.bindings[expr.id]) == 1:
                kind, value = owner.bindings[expr.id][0]
                if kind == "value":
                    return self.path_value(value, self.scope_of.get(value, owner), depth + HOP_COST)
            return "{}"
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for value in expr.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append(self.path_value(value.value, scope, depth + 1))
                else:
                    parts.append(str(value.value))
            return "".join(parts)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Div):
                return join_paths([self.path_value(expr.left, scope, depth + 1), self.path_value(expr.right, scope, depth + 1)])
            if isinstance(expr.op, ast.Add):
                left = self.path_value(expr.left, scope, depth + 1)
                right = self.path_value(expr.right, scope, depth + 1)
                return "{}" if left == right == "{}" else left + right
            if isinstance(expr.op, ast.Mod):
                template = self.const_strings(expr.left, scope, depth + 1)
                if len(template) == 1:
                    items = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
                    values = [self.path_value(i, scope, depth + 1) for i in items]
                    return substitute(re.sub(r"%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdrifx]", "\0", template[0]), values)
            return "{}"
        if isinstance(expr, ast.Subscript):
            bases = self.resolve(expr.value, scope, depth)
            if any(b in ENV_OBJECTS for b in bases) and self.const_strings(expr.slice, scope, depth) in (["HOME"], ["USERPROFILE"]):
                return "~"
            return "{}"
        if isinstance(expr, ast.Call):
            names = self.resolve(expr.func, scope, depth)
            args = [self.path_value(a, scope, depth + 1) for a in expr.args]
            for name in names:
                if name in ("pathlib.Path.home", "pathlib.Path().home", "pathlib.PosixPath.home"):
                    return "~"
                if name in ("os.getenv", "os.environ.get") and expr.args and \
                        self.const_strings(expr.args[0], scope, depth) in (["HOME"], ["USERPROFILE"]):
                    return "~"
                if name in ("os.path.expanduser", "os.path.expandvars", "os.path.abspath", "os.path.realpath",
                            "os.path.normpath", "str", "os.fspath") and args:
                    return args[0]
                if name in ("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
                            "pathlib.PurePosixPath"):
                    return join_paths(args) if args else "{}"
                if name.endswith(".joinpath") and isinstance(expr.func, ast.Attribute):
                    return join_paths([self.path_value(expr.func.value, scope, depth + 1)] + args)
                if name.endswith((".expanduser", ".resolve", ".absolute")) and isinstance(expr.func, ast.Attribute):
                    return self.path_value(expr.func.value, scope, depth + 1)
                if name == "str.format" and isinstance(expr.func, ast.Attribute):
                    template = self.const_strings(expr.func.value, scope, depth + 1)
                    if len(template) == 1:
                        return substitute(re.sub(r"\{[^{}]*\}", "\0", template[0]), args)
        return "{}"

    # ---- data flow ------------------------------------------------------------------------
    def statement_of(self, node):
        current = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parent.get(current)
        return current

    def sinks(self, node, hops=0, seen=None):
        """Calls that consume the value of `node`: enclosing calls, and calls that later receive a
        variable it was assigned to (a few hops, within the scope that owns the variable)."""
        if seen is None:
            seen = set()
        key = id(node)
        if key in seen:
            return []
        seen.add(key)
        if hops == 0 and key in self.sink_memo:
            return self.sink_memo[key]
        found = []
        flows = []
        current = node
        while True:
            parent = self.parent.get(current)
            if parent is None or isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                break
            if isinstance(parent, ast.Call):
                found.append(parent)
            elif isinstance(parent, ast.NamedExpr) and current is parent.value:
                flows.append(parent.target.id)
            elif isinstance(parent, ast.withitem) and current is parent.context_expr and parent.optional_vars is not None:
                flows.extend(target_names(parent.optional_vars))
            elif isinstance(parent, (ast.comprehension,)) and current is parent.iter:
                flows.extend(target_names(parent.target))
            if isinstance(parent, ast.stmt):
                if isinstance(parent, ast.Assign) and current is parent.value:
                    for target in parent.targets:
                        flows.extend(target_names(target))
                elif isinstance(parent, (ast.AnnAssign, ast.AugAssign)) and current is parent.value:
                    flows.extend(target_names(parent.target))
                elif isinstance(parent, (ast.For, ast.AsyncFor)) and current is parent.iter:
                    flows.extend(target_names(parent.target))
                elif isinstance(parent, ast.Return):
                    function = self.enclosing_function(parent)
                    if function is not None and hops < MAX_HOPS:
                        for call in self.calls_of(function.name):
                            found.append(call)
                            found.extend(self.sinks(call, hops + 1, seen))
                break
            current = parent
        if hops < MAX_HOPS:
            scope = self.scope_of.get(node)
            for name in flows:
                owner = self.owner_scope(name, scope) if scope is not None else None
                if owner is None:
                    continue
                for ref in self.refs.get((owner.id, name), []):
                    found.extend(self.sinks(ref, hops + 1, seen))
                    if len(found) > MAX_SINKS:
                        break
        # Calls nested directly in the consuming call's arguments also "use" the value.
        result = unique_nodes(found)[:MAX_SINKS]
        if hops == 0:
            self.sink_memo[key] = result
        return result

    def enclosing_function(self, node):
        current = self.parent.get(node)
        while current is not None:
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return current
            if isinstance(current, (ast.ClassDef, ast.Lambda)):
                return None
            current = self.parent.get(current)
        return None

    def calls_of(self, function_name):
        if not hasattr(self, "_calls_by_name"):
            index = {}
            for node in self.all_calls:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
                if name is not None:
                    index.setdefault(name, []).append(node)
            self._calls_by_name = index
        return self._calls_by_name.get(function_name, [])

    # ---- fact emission --------------------------------------------------------------------
    def line_of(self, node):
        return self.line_override if self.line_override is not None else getattr(node, "lineno", 0)

    def snippet(self, node):
        line = getattr(node, "lineno", 0)
        if 0 < line <= len(self.lines):
            return self.lines[line - 1].strip()[:SNIPPET]
        return ""

    def fn_id(self, node):
        scope = self.scope_of.get(node)
        while scope is not None and scope.kind == "class":
            scope = scope.parent
        return scope.id if scope is not None else 0

    def names_of_calls(self, calls):
        out = []
        for call in calls:
            out.extend(self.resolve(call.func, self.scope_of[call]))
        return [n for n in unique(out) if self.interest.call([n])]

    def run(self):
        nodes = self.by_type
        scope_of = self.scope_of
        self.all_calls = nodes[ast.Call]
        emitted = {}
        for call in self.all_calls:
            names = self.resolve(call.func, scope_of[call])
            if self.is_xor_decoder(call, scope_of[call]):
                names = names + [XOR_NAME]
            if names and self.interest.call(names):
                emitted[call] = names
        inputs = {}
        for call in emitted:
            for sink in self.sinks(call):
                if sink in emitted and sink is not call:
                    inputs.setdefault(sink, []).extend(emitted[call])
        for call, names in emitted.items():
            self.emit_call(call, names, inputs.get(call, []))
        for call in self.all_calls:
            self.emit_env_call(call)
            self.emit_nested_code(call)
        self.emit_setup_cmdclass()
        self.emit_executed_files()
        for node in nodes[ast.Constant]:
            if isinstance(node.value, (str, bytes)):
                self.emit_string(node, scope_of[node])
        for node in nodes[ast.Attribute]:
            if node.attr in ENV_ATTRS and type(node.ctx) is ast.Load:
                self.emit_whole_env(node, scope_of[node])
        for node in nodes[ast.Name]:
            if type(node.ctx) is ast.Load and (node.id in ENV_ATTRS or self.may_alias_env(node.id, scope_of[node])):
                self.emit_whole_env(node, scope_of[node])
        for node in nodes[ast.Subscript]:
            if type(node.ctx) is ast.Load:
                self.emit_env_subscript(node, scope_of[node])
        for node in nodes[ast.ClassDef]:
            self.emit_command_class(node, scope_of[node])
        for kind in (ast.FunctionDef, ast.AsyncFunctionDef):
            for node in nodes[kind]:
                for decorator in node.decorator_list:
                    if isinstance(decorator, (ast.Name, ast.Attribute)):
                        self.emit_decorator(decorator, node)
        if self.interest.attributes is not None:
            self.emit_attributes()
        for kind in (ast.Call, ast.BinOp, ast.JoinedStr):
            for node in nodes[kind]:
                if self.is_path_root(node):
                    self.emit_path(node, scope_of[node])
        return sorted(unique_facts(self.facts), key=lambda fact: fact["line"])

    def deciding_test(self, node, hops=0):
        """The node where the value of `node` decides a branch (a comparison, `not`, the test of an
        if/while/assert/ternary/comprehension filter), also through one variable or `return`; or None."""
        key = (id(node), hops)
        if key not in self.test_memo:
            self.test_memo[key] = None
            self.test_memo[key] = self.deciding_test_uncached(node, hops)
        return self.test_memo[key]

    def deciding_test_uncached(self, node, hops):
        current = node
        while True:
            parent = self.parent.get(current)
            if parent is None or isinstance(parent, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                return None
            if isinstance(parent, ast.Compare) or (isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not)):
                return parent
            if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and current is parent.test:
                return parent
            if isinstance(parent, ast.comprehension) and any(current is test for test in parent.ifs):
                return parent
            if isinstance(parent, ast.stmt):
                if hops >= MAX_TEST_HOPS:
                    return None
                uses = []
                if isinstance(parent, ast.Assign) and current is parent.value:
                    scope = self.scope_of[parent]
                    for target in parent.targets:
                        for name in target_names(target):
                            owner = self.owner_scope(name, scope)
                            uses.extend(self.refs.get((owner.id, name), [])[:MAX_SINKS] if owner is not None else [])
                elif isinstance(parent, ast.Return):
                    function = self.enclosing_function(parent)
                    uses = self.calls_of(function.name)[:MAX_SINKS] if function is not None else []
                for use in uses:
                    found = self.deciding_test(use, hops + 1)
                    if found is not None:
                        return found
                return None
            current = parent

    def mark_use(self, fact, node):
        """`test` when the value decides a branch; `imp` when that branch (or the node itself) runs at import."""
        test = self.deciding_test(node)
        if test is not None:
            fact["test"] = True
        if self.runs_at_import(test if test is not None else node):
            fact["imp"] = True
        return fact

    def runs_at_import(self, node):
        scope = self.fn_id(node)
        if scope == 0:
            return not self.under_main_guard(node)
        return scope in self.import_scopes()

    def under_main_guard(self, node):
        current = node
        while current is not None:
            parent = self.parent.get(current)
            if isinstance(parent, ast.If) and any(current is stmt for stmt in parent.body) and is_main_guard(parent.test):
                return True
            current = parent
        return False

    def import_scopes(self):
        """Ids of the function scopes that run while the module is imported: functions called, used as
        decorators or handed as callbacks by module-level code (outside `if __name__ == "__main__"`),
        and the functions those call."""
        if self._import_scopes is not None:
            return self._import_scopes
        todo = []
        for call in self.all_calls:
            if self.fn_id(call) == 0 and not self.under_main_guard(call):
                scope = self.scope_of[call]
                for expr in [call.func] + list(call.args) + [k.value for k in call.keywords]:
                    todo.extend(self.local_functions(expr, scope))
        for kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            for node in self.by_type[kind]:
                if self.fn_id(node) == 0 and not self.under_main_guard(node):
                    for decorator in node.decorator_list:
                        todo.extend(self.local_functions(decorator, self.scope_of[decorator]))
        reached, _ = self.follow_local_calls(todo, MAX_IMPORT_FUNCTIONS)
        self._import_scopes = {s.id for s in self.scopes if s.kind == "function" and id(s.node) in reached}
        return self._import_scopes

    def local_functions(self, expr, scope):
        """Functions of this file that `expr` names: a lambda, a def by name, functools.partial(def, …)."""
        if isinstance(expr, ast.Lambda):
            return [expr]
        if isinstance(expr, ast.Call) and expr.args and "functools.partial" in self.resolve(expr.func, scope):
            return self.local_functions(expr.args[0], scope)
        if isinstance(expr, ast.Name):
            owner = self.owner_scope(expr.id, scope)
            if owner is not None:
                out = []
                for kind, value in owner.bindings[expr.id]:
                    if kind == "def" and isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        out.append(value)
                    elif kind == "def" and isinstance(value, ast.ClassDef):
                        out.extend(m for m in value.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name in CONSTRUCTOR_METHODS)
                return out
        return []

    def follow_local_calls(self, functions, limit):
        """The functions reached from `functions` (ids) through calls of local functions and local
        functions handed as arguments, and the resolved names of every call they make."""
        todo = list(functions)
        reached = set()
        names = []
        while todo and len(reached) < limit:
            function = todo.pop()
            if id(function) in reached:
                continue
            reached.add(id(function))
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    scope = self.scope_of.get(node, self.scopes[0])
                    names.extend(self.resolve(node.func, scope))
                    for expr in [node.func] + list(node.args) + [k.value for k in node.keywords]:
                        todo.extend(self.local_functions(expr, scope))
        return reached, names

    def calls_in(self, functions):
        """Resolved names of the calls the functions make, following local functions they call or hand on."""
        return unique(self.follow_local_calls(functions, MAX_CALLBACKS)[1])[:64]

    def callback_calls(self, call, scope):
        """What a callback handed to `call` does: atexit.register(f), Thread(target=f), Timer(5, f)…"""
        functions = []
        for arg in list(call.args) + [k.value for k in call.keywords]:
            functions.extend(self.local_functions(arg, scope))
        return self.calls_in(functions) if functions else []

    def emit_decorator(self, decorator, function):
        """`@atexit.register` calls the decorator with the function: reported like a call."""
        names = self.resolve(decorator, self.scope_of[decorator])
        if not names or not self.interest.call(names):
            return
        fact = self.mark_use({"k": "call", "line": self.line_of(decorator), "names": names, "args": [], "kw": {}, "inputs": [],
                              "used_by": [], "fn": self.fn_id(decorator), "snip": self.snippet(decorator)}, decorator)
        callbacks = self.calls_in([function])
        if callbacks:
            fact["cb"] = callbacks
        self.facts.append(fact)

    def emit_attribute(self, node, names):
        """A read of an attribute the rules ask about (sys.flags.isolated), whole chains only."""
        found = [n for n in names if self.interest.attribute(n)]
        if not found:
            return
        self.facts.append(self.mark_use({"k": "attr", "line": self.line_of(node), "names": found, "fn": self.fn_id(node),
                                         "snip": self.snippet(node)}, node))

    def emit_attributes(self):
        for node in self.by_type[ast.Attribute]:
            parent = self.parent.get(node)
            if type(node.ctx) is not ast.Load or (isinstance(parent, ast.Attribute) and parent.value is node) or \
                    (isinstance(parent, ast.Call) and parent.func is node) or not self.interest.attribute_leaf(node.attr):
                continue
            self.emit_attribute(node, self.resolve(node, self.scope_of[node]))
        for call in self.all_calls:
            if len(call.args) >= 2 and "getattr" in self.resolve(call.func, self.scope_of[call]):
                self.emit_attribute(call, self.call_result(call, self.scope_of[call]))

    def emit_call(self, call, names, inputs):
        scope = self.scope_of[call]
        args = []
        for arg in call.args:
            elts = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
            for elt in elts:
                for value in self.const_strings(elt, scope):
                    args.append(value[:VALUE_MAX])
        keywords = {}
        for kw in call.keywords:
            if kw.arg is None:
                continue
            value = kw.value
            if isinstance(value, ast.Constant) and not isinstance(value.value, (str, bytes)):
                keywords[kw.arg] = repr(value.value)
            else:
                consts = self.const_strings(value, scope)
                keywords[kw.arg] = consts[0][:VALUE_MAX] if len(consts) == 1 else "{}"
        fact = {"k": "call", "line": self.line_of(call), "names": names, "args": unique(args)[:32], "kw": keywords,
                "inputs": unique(inputs)[:MAX_SINKS], "used_by": self.names_of_calls(self.sinks(call)),
                "fn": self.fn_id(call), "snip": self.snippet(call)}
        command = self.command_of(call, scope)
        if command is not None:
            fact["cmd"] = command[:VALUE_MAX]
        self.mark_use(fact, call)
        callbacks = self.callback_calls(call, scope)
        if callbacks:
            fact["cb"] = callbacks
        self.facts.append(fact)

    def command_of(self, call, scope):
        first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("args", "cmd", "command")), None)
        if first is None:
            return None
        if isinstance(first, (ast.List, ast.Tuple)):
            return " ".join(self.path_value(e, scope) for e in first.elts)
        if isinstance(first, ast.Name):
            owner = self.owner_scope(first.id, scope)
            if owner is not None and len(owner.bindings[first.id]) == 1:
                kind, value = owner.bindings[first.id][0]
                if kind == "value" and isinstance(value, (ast.List, ast.Tuple)):
                    return " ".join(self.path_value(e, scope) for e in value.elts)
        value = self.path_value(first, scope)
        return None if value == "{}" else value

    def emit_env_call(self, call):
        scope = self.scope_of[call]
        names = [n.replace(".copy()", "") for n in self.resolve(call.func, scope)]
        hows = [ENV_GETTERS[n] for n in names if n in ENV_GETTERS]
        if not hows:
            return
        key = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("key", "varname")), None)
        variables = self.const_strings(key, scope) if key is not None else []
        for var in variables or ["{}"]:
            self.facts.append({"k": "env", "line": self.line_of(call), "var": var, "how": hows[0],
                               "used_by": self.names_of_calls(self.sinks(call)), "fn": self.fn_id(call),
                               "snip": self.snippet(call)})

    def emit_env_subscript(self, node, scope):
        if not any(b in ENV_OBJECTS for b in self.resolve(node.value, scope)):
            return
        variables = self.const_strings(node.slice, scope)
        for var in variables or ["{}"]:
            self.facts.append({"k": "env", "line": self.line_of(node), "var": var, "how": "subscript",
                               "used_by": self.names_of_calls(self.sinks(node)), "fn": self.fn_id(node),
                               "snip": self.snippet(node)})

    def emit_whole_env(self, node, scope):
        if not any(b in ENV_OBJECTS for b in self.resolve(node, scope)):
            return
        parent = self.parent.get(node)
        if isinstance(parent, ast.Attribute):
            if parent.attr in ENV_SINGLE_METHODS:
                return
            how = parent.attr
            anchor = self.parent.get(parent) if isinstance(self.parent.get(parent), ast.Call) else parent
        elif isinstance(parent, ast.Subscript) and parent.value is node:
            return
        elif isinstance(parent, ast.Compare):
            return
        elif isinstance(parent, ast.Assign) and parent.value is node:
            return
        else:
            how = "value"
            anchor = node
        self.facts.append({"k": "env", "line": self.line_of(node), "var": None, "how": how,
                           "used_by": self.names_of_calls(self.sinks(anchor)), "fn": self.fn_id(node),
                           "snip": self.snippet(node)})

    def may_alias_env(self, name, scope):
        owner = self.owner_scope(name, scope)
        if owner is None:
            return False
        for kind, value in owner.bindings[name]:
            if kind == "import" and value.endswith((".environ", ".environb")):
                return True
            if kind == "value" and isinstance(value, (ast.Attribute, ast.Name, ast.Call)):
                return True
        return False

    def emit_string(self, node, scope):
        value = node.value
        if len(value) >= self.blob_min:
            encoding = blob_encoding(value)
            if encoding is not None:
                self.facts.append({"k": "blob", "line": self.line_of(node), "length": len(value), "enc": encoding,
                                   "used_by": self.names_of_calls(self.sinks(node)), "fn": self.fn_id(node),
                                   "snip": self.snippet(node)[:80]})
        text = value if isinstance(value, str) else value.decode("latin-1")
        if len(text) > VALUE_MAX * 8 or not self.interest.string(text):
            return
        parent = self.parent.get(node)
        fact = {"k": "str", "line": self.line_of(node), "value": text[:VALUE_MAX],
                "used_by": self.names_of_calls(self.sinks(node)), "fn": self.fn_id(node), "snip": self.snippet(node)}
        if isinstance(parent, ast.Expr):
            fact["doc"] = True
        else:
            self.mark_use(fact, node)
        self.facts.append(fact)

    def is_path_root(self, node):
        if not isinstance(node, (ast.Call, ast.BinOp, ast.JoinedStr)):
            return False
        if isinstance(node, ast.Call):
            scope = self.scope_of[node]
            names = self.resolve(node.func, scope)
            if not any(n in PATH_CALLS or n.endswith((".joinpath", ".expanduser")) or n in DECODERS or
                       n in ("str.join", "codecs.decode", "chr", "zlib.decompress") or n.endswith(".decode")
                       for n in names) and not self.is_xor_decoder(node, scope) and self.helper_builder(node, scope) is None:
                return False
        parent = self.parent.get(node)
        return not (isinstance(parent, (ast.BinOp, ast.JoinedStr, ast.FormattedValue)) or
                    (isinstance(parent, ast.Call) and self.is_path_root(parent)) or
                    (isinstance(parent, ast.Attribute) and isinstance(self.parent.get(parent), ast.Call) and
                     self.is_path_root(self.parent.get(parent))))

    def emit_path(self, node, scope):
        decoded = [v for v, d in self.const_values(node, scope) if d]
        values = [v if isinstance(v, str) else v.decode("latin-1") for v in decoded]
        path = self.path_value(node, scope)
        if path != "{}" and "/" in path and not isinstance(node, ast.Constant):
            values.append(path)
        for text in unique(values):
            if not self.interest.string(text):
                continue
            fact = {"k": "str", "line": self.line_of(node), "value": text[:VALUE_MAX], "derived": True,
                    "used_by": self.names_of_calls(self.sinks(node)), "fn": self.fn_id(node), "snip": self.snippet(node)}
            self.facts.append(self.mark_use(fact, node))

    def emit_nested_code(self, call):
        """Code held in a constant (possibly decoded) and passed to exec/eval/compile is analysed too."""
        if self.depth >= MAX_NESTED or not call.args:
            return
        scope = self.scope_of[call]
        if not any(n in EXEC_FAMILY for n in self.resolve(call.func, scope)):
            return
        for value, _ in self.const_values(call.args[0], scope):
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if not isinstance(value, str):
                continue
            try:
                tree = ast.parse(value)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            inner = FileFacts(tree, value.splitlines(), self.interest, self.blob_min, self.depth + 1, self.line_of(call), self.budget)
            for fact in inner.run():
                fact["nested"] = True
                fact["fn"] = self.fn_id(call)
                self.facts.append(fact)

    def emit_executed_files(self):
        """Files run from this one: exec(open(p).read()), runpy.run_path(p), imp.load_source(n, p)…"""
        for call in self.all_calls:
            scope = self.scope_of[call]
            names = self.resolve(call.func, scope)
            path = None
            if any(n in FILE_READERS for n in names) and call.args:
                path = self.path_value(call.args[0], scope)
            elif any(n.endswith((".read_text", ".read_bytes")) for n in names) and isinstance(call.func, ast.Attribute):
                path = self.path_value(call.func.value, scope)
            if path is not None:
                if not any(n in EXEC_FAMILY for s in self.sinks(call) for n in self.resolve(s.func, self.scope_of[s])):
                    continue
            else:
                for name in names:
                    index = FILE_RUNNERS.get(name)
                    if index is not None and len(call.args) > index:
                        path = self.path_value(call.args[index], scope)
            if path is not None and path != "{}":
                self.facts.append({"k": "execfile", "line": self.line_of(call), "path": path, "fn": self.fn_id(call),
                                   "snip": self.snippet(call)})

    def emit_setup_cmdclass(self):
        for call in self.all_calls:
            scope = self.scope_of[call]
            if not any(n in SETUP_CALLS for n in self.resolve(call.func, scope)):
                continue
            for kw in call.keywords:
                if kw.arg == "cmdclass":
                    for command, cls in self.mapping_entries(kw.value, scope):
                        self.emit_override(command, cls, call, scope)

    def mapping_entries(self, expr, scope, depth=0):
        if isinstance(expr, ast.Dict):
            out = []
            for key, value in zip(expr.keys, expr.values):
                if key is None:
                    out.extend(self.mapping_entries(value, scope, depth + 1))
                    continue
                for name in self.const_strings(key, scope):
                    out.append((name, value))
            return out
        if isinstance(expr, ast.Call) and self.resolve(expr.func, scope) == ["dict"]:
            return [(k.arg, k.value) for k in expr.keywords if k.arg is not None]
        if isinstance(expr, ast.Name) and depth < MAX_HOPS:
            owner = self.owner_scope(expr.id, scope)
            out = []
            if owner is not None:
                for kind, value in owner.bindings[expr.id]:
                    if kind == "value":
                        out.extend(self.mapping_entries(value, owner, depth + 1))
                for ref in self.refs.get((owner.id, expr.id), []):
                    parent = self.parent.get(ref)
                    if isinstance(parent, ast.Subscript) and isinstance(self.parent.get(parent), ast.Assign):
                        assign = self.parent[parent]
                        if parent in assign.targets:
                            for name in self.const_strings(parent.slice, scope):
                                out.append((name, assign.value))
            return out
        return []

    def emit_override(self, command, cls_expr, anchor, scope):
        cls_names = self.resolve(cls_expr, scope)
        wanted = [c.split(".")[-1] for c in cls_names]
        classdef = next((n for n in self.by_type[ast.ClassDef] if n.name in wanted), None)
        self.facts.append({"k": "cmdclass", "line": self.line_of(classdef or anchor), "command": command,
                           "cls": cls_names[0] if cls_names else "{}", "run_calls": self.run_calls(classdef),
                           "defined": classdef is not None, "snip": self.snippet(classdef or anchor)})

    def run_calls(self, classdef):
        if classdef is None:
            return []
        methods = {n.name: n for n in classdef.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        todo = ["run"] if "run" in methods else []
        seen = set()
        names = []
        while todo:
            method = todo.pop()
            if method in seen or method not in methods:
                continue
            seen.add(method)
            for node in ast.walk(methods[method]):
                if isinstance(node, ast.Call):
                    names.extend(self.resolve(node.func, self.scope_of.get(node, self.scopes[0])))
                    func = node.func
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                        todo.append(func.attr)
        return unique(names)[:64]

    def emit_command_class(self, node, scope):
        for base in node.bases:
            for name in self.resolve(base, scope):
                last = name.split(".")[-1]
                if last in COMMAND_BASES and ".command." in "." + name:
                    self.facts.append({"k": "cmdclass", "line": self.line_of(node), "command": last, "cls": node.name,
                                       "run_calls": self.run_calls(node), "defined": True, "snip": self.snippet(node)})
                    return


BINDERS = {
    ast.Import: FileFacts.bind_import, ast.ImportFrom: FileFacts.bind_import_from, ast.Assign: FileFacts.bind_assign,
    ast.AnnAssign: FileFacts.bind_annotated, ast.AugAssign: FileFacts.bind_annotated, ast.NamedExpr: FileFacts.bind_named,
    ast.For: FileFacts.bind_loop, ast.AsyncFor: FileFacts.bind_loop, ast.comprehension: FileFacts.bind_loop,
    ast.withitem: FileFacts.bind_with, ast.Global: FileFacts.bind_global, ast.Nonlocal: FileFacts.bind_global,
    ast.ExceptHandler: FileFacts.bind_handler,
}
SCOPE_NODES = frozenset((ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))
COLLECTED = (ast.Call, ast.Constant, ast.Attribute, ast.Name, ast.Subscript, ast.ClassDef, ast.BinOp, ast.JoinedStr,
             ast.FunctionDef, ast.AsyncFunctionDef)


def target_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        out = []
        for elt in target.elts:
            out.extend(target_names(elt))
        return out
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []


def unique(items):
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def unique_nodes(nodes):
    seen = set()
    out = []
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            out.append(node)
    return out


def unique_facts(facts):
    seen = set()
    out = []
    for fact in facts:
        key = json.dumps(fact, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


def join_paths(parts):
    if all(part == "{}" for part in parts):
        return "{}"
    out = ""
    for part in parts:
        if part.startswith("/") or part.startswith("~"):
            out = part
        elif out == "" or out.endswith("/"):
            out += part
        else:
            out += "/" + part
    return out


def substitute(template, values):
    parts = template.split("\0")
    out = parts[0]
    for i, rest in enumerate(parts[1:]):
        out += (values[i] if i < len(values) else "{}") + rest
    return out


def blob_encoding(value):
    data = value.encode("latin-1", "replace") if isinstance(value, str) else value
    sample = data[:8192]
    if HEX_RE.match(sample) and len(data.split()) <= max(1, len(data) // 64):
        return "hex"
    if BASE64_RE.match(sample):
        compact = b"".join(sample.split())
        if len(compact) >= 64 and len(set(compact)) > 16:
            return "base64"
    return None


class Cycle:
    """itertools.cycle/repeat of constant items: endless, so only usable beside a finite sequence in zip()."""
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def zip_items(parts):
    if any(p is None for p in parts):
        return None
    finite = [len(p) for p in parts if isinstance(p, list)]
    if not finite:
        return None
    return [tuple(p[i] if isinstance(p, list) else p.items[i % len(p.items)] for p in parts) for i in range(min(finite))]


def bind_item(target, value, bound):
    if isinstance(target, ast.Name):
        bound[target.id] = value
        return True
    if isinstance(target, ast.Tuple) and isinstance(value, tuple) and len(value) == len(target.elts):
        return all(bind_item(t, v, bound) for t, v in zip(target.elts, value))
    return False


def int_op(op, left, right):
    if type(left) is not int or type(right) is not int:
        raise TypeError("not an int")
    return op(left, right)


def is_sequence_expr(expr):
    return isinstance(expr, (ast.GeneratorExp, ast.ListComp)) or (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "map")


def is_main_guard(test):
    """`__name__ == "__main__"` (either way round)."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in sides) and \
        any(isinstance(n, ast.Constant) and n.value == "__main__" for n in sides)


def returned_builder(function):
    """The call a function consists of when its body is only `return f(<comprehension or map>)`."""
    body = function.body[1:] if function.body and is_docstring(function.body[0]) else function.body
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return None
    returned = body[0].value
    return returned if len(returned.args) == 1 and is_sequence_expr(returned.args[0]) else None


def is_docstring(stmt):
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


class FileTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise FileTimeout()


def extract(entry, interest, blob_min):
    """Facts of one file; a file that takes longer than FILE_SECONDS is left to the regex pass."""
    signal.setitimer(signal.ITIMER_REAL, FILE_SECONDS)
    try:
        return extract_file(entry, interest, blob_min)
    except FileTimeout:
        return {"id": entry["id"], "parse": "error", "error": f"analysis took longer than {FILE_SECONDS} s"}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def extract_file(entry, interest, blob_min):
    raw = entry["source"].encode("latin-1")
    lines = raw.decode("utf-8", "replace").splitlines()
    try:
        tree = ast.parse(raw, filename=entry.get("path", "<source>"))
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        return {"id": entry["id"], "parse": "error", "error": f"{type(error).__name__}: {error.args[0] if error.args else error}"
                + (f" (line {line})" if line else "")}
    except (RecursionError, MemoryError) as error:
        return {"id": entry["id"], "parse": "error", "error": f"{type(error).__name__}: source nested too deeply"}
    try:
        facts = FileFacts(tree, lines, interest, blob_min, 0, None)
        return {"id": entry["id"], "parse": "ast", "facts": facts.run(), "imports": facts.imports}
    except (RecursionError, MemoryError):
        return {"id": entry["id"], "parse": "error", "error": "RecursionError: source nested too deeply"}
    except FileTimeout:
        raise
    except Exception as error:  # noqa: BLE001 - one odd file must not cost the facts of the others
        return {"id": entry["id"], "parse": "error", "error": f"extractor could not analyse it ({type(error).__name__}: {error})"}


def main():
    sys.setrecursionlimit(6000)
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, on_alarm)
    request = json.loads(sys.stdin.buffer.read())
    interest = Interest(request.get("interest") or {})
    blob_min = int(request.get("blob_min") or 1024)
    out = sys.stdout.buffer
    for entry in request["files"]:
        out.write(json.dumps(extract(entry, interest, blob_min), ensure_ascii=True).encode("ascii"))
        out.write(b"\n")
    out.flush()


main()
