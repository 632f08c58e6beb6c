-- kcut program database schema.
--
-- One file for the whole database: the analyzer's facts (written by `kcut analyze`, one transaction
-- per translation unit), the partitioner's profiles and named partitions. docs/schema.md explains
-- every table with example queries. Bump user_version (last line) on every incompatible change;
-- kc_db_open refuses a database with another version and says which.
--
-- Conventions: every table has an integer id; file positions are (file_id, line, col), 1-based as in
-- compiler diagnostics; booleans are 0/1 integers; `kind`-like columns have CHECK constraints so a bad
-- writer fails loudly instead of storing garbage.

PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT
);

-- Every source file the analyzer saw: main files and the headers they include.
-- is_driver: the file lies under one of the --driver directories.
CREATE TABLE IF NOT EXISTS file (
	id        INTEGER PRIMARY KEY,
	path      TEXT NOT NULL UNIQUE,          -- absolute, canonical
	is_driver INTEGER NOT NULL DEFAULT 0,
	hash      TEXT                           -- content hash when last analyzed (hex)
);

-- One row per translation unit (compile_commands.json entry).
CREATE TABLE IF NOT EXISTS tu (
	id          INTEGER PRIMARY KEY,
	file_id     INTEGER NOT NULL REFERENCES file(id),
	directory   TEXT NOT NULL,
	args        TEXT NOT NULL,               -- JSON array of the cleaned clang arguments
	hash        TEXT,                        -- hash of main file + driver headers + args (incremental skip)
	status      TEXT NOT NULL CHECK (status IN ('ok', 'errors', 'failed', 'missing')),
	parse_ms    REAL,
	n_errors    INTEGER NOT NULL DEFAULT 0,
	n_warnings  INTEGER NOT NULL DEFAULT 0,
	module      TEXT,                        -- kernel module that links this TU (corpus mode), or NULL
	analyzed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	UNIQUE (file_id, directory)
);

-- Driver headers (and .c files) a TU included: their hashes feed tu.hash.
CREATE TABLE IF NOT EXISTS tu_include (
	tu_id   INTEGER NOT NULL REFERENCES tu(id) ON DELETE CASCADE,
	file_id INTEGER NOT NULL REFERENCES file(id),
	PRIMARY KEY (tu_id, file_id)
);

CREATE TABLE IF NOT EXISTS diag (
	id       INTEGER PRIMARY KEY,
	tu_id    INTEGER NOT NULL REFERENCES tu(id) ON DELETE CASCADE,
	severity TEXT NOT NULL CHECK (severity IN ('note', 'warning', 'error', 'fatal')),
	file     TEXT,
	line     INTEGER,
	col      INTEGER,
	message  TEXT NOT NULL
);

-- Functions: every function the driver defines, and every function it calls or references without
-- defining it (is_defined = 0: a kernel import). A function defined in a header seen by several TUs
-- is stored once (keyed by USR; static functions' USRs include the file). In a TU with a module
-- (`kcut analyze --module-map`) the key is 'M:<module>|<USR>' for every function and global it
-- refers to, so each module of a whole-tree database has its own rows, as in a per-module database.
CREATE TABLE IF NOT EXISTS func (
	id            INTEGER PRIMARY KEY,
	usr           TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	is_defined    INTEGER NOT NULL DEFAULT 0,
	is_driver     INTEGER NOT NULL DEFAULT 0,  -- defined under a --driver directory
	file_id       INTEGER REFERENCES file(id), -- definition (or first declaration if not defined)
	line          INTEGER,
	col           INTEGER,
	end_line      INTEGER,
	loc           INTEGER NOT NULL DEFAULT 0,  -- non-blank, non-comment lines of the definition
	is_static     INTEGER NOT NULL DEFAULT 0,
	is_inline     INTEGER NOT NULL DEFAULT 0,
	is_variadic   INTEGER NOT NULL DEFAULT 0,
	signature     TEXT,                        -- canonical function type, e.g. 'int (struct net_device *)'
	return_type   TEXT,
	address_taken INTEGER NOT NULL DEFAULT 0,
	macro         TEXT,                        -- macro whose expansion defined it (e.g. module_param), or NULL
	tu_id         INTEGER REFERENCES tu(id) ON DELETE SET NULL  -- TU that stored the definition
);
CREATE INDEX IF NOT EXISTS func_name ON func(name);
CREATE INDEX IF NOT EXISTS func_tu ON func(tu_id);

-- Evidence that a function's address is taken, per TU: func.address_taken is 1 while any TU has a row
-- here, so re-analysing the one TU that took the address clears it.
CREATE TABLE IF NOT EXISTS func_addr (
	func_id INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	tu_id   INTEGER NOT NULL REFERENCES tu(id) ON DELETE CASCADE,
	PRIMARY KEY (func_id, tu_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS param (
	func_id       INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	idx           INTEGER NOT NULL,            -- 0-based
	name          TEXT,
	type          TEXT NOT NULL,
	is_struct_ptr INTEGER NOT NULL DEFAULT 0,
	struct_name   TEXT,                        -- 'net_device' for 'struct net_device *'
	PRIMARY KEY (func_id, idx)
);

-- Call edges, one row per call site. Indirect calls get one row per possible target.
--   kind        'direct' | 'indirect'
--   resolved_by NULL for direct; 'slot' (through an ops-struct field: slot = 'net_device_ops.ndo_open')
--               or 'type' (function-pointer type match against address-taken functions)
--   count       times the site appears (a macro expanding one call twice counts 2)
--   loop_depth  number of enclosing loops at the site (static frequency estimates use it)
--   spin_held   1 if a spinlock is held at the site (intra-procedural; also set inside irqsave regions)
CREATE TABLE IF NOT EXISTS call (
	id          INTEGER PRIMARY KEY,
	caller_id   INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	callee_id   INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('direct', 'indirect')),
	resolved_by TEXT CHECK (resolved_by IN ('slot', 'type')),
	slot        TEXT,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER,
	count       INTEGER NOT NULL DEFAULT 1,
	loop_depth  INTEGER NOT NULL DEFAULT 0,
	spin_held   INTEGER NOT NULL DEFAULT 0,
	locks_held  TEXT,                          -- lock expressions held at the site, ', '-separated
	macro       TEXT                           -- macro the call came from, or NULL
);
CREATE INDEX IF NOT EXISTS call_caller ON call(caller_id);
CREATE INDEX IF NOT EXISTS call_callee ON call(callee_id);

-- Functions registered with the kernel.
--   kind 'slot':  stored into struct_name.field (designated initializer, array of structs, assignment);
--                 var = the variable holding the struct (e.g. 'e1000_netdev_ops')
--   kind 'arg':   passed as argument arg_idx (0-based) of kernel function api (e.g. request_irq, 1)
--   kind 'module_init' / 'module_exit': the module's init / exit function (module_init(fn),
--                 module_exit(fn), module_pci_driver ...); api = 'module_init' / 'module_exit'
--   macro:        the macro the registration came from (INIT_WORK, timer_setup ...) or NULL
--   by_func_id:   function containing the registration, NULL for a global initializer
CREATE TABLE IF NOT EXISTS registration (
	id          INTEGER PRIMARY KEY,
	func_id     INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('slot', 'arg', 'module_init', 'module_exit')),
	struct_name TEXT,
	field       TEXT,
	var         TEXT,
	api         TEXT,
	arg_idx     INTEGER,
	macro       TEXT,
	by_func_id  INTEGER REFERENCES func(id) ON DELETE CASCADE,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER,
	tu_id       INTEGER REFERENCES tu(id) ON DELETE CASCADE  -- TU that stored it (incremental re-analysis)
);
CREATE INDEX IF NOT EXISTS registration_func ON registration(func_id);
CREATE INDEX IF NOT EXISTS registration_slot ON registration(struct_name, field);
CREATE INDEX IF NOT EXISTS registration_tu ON registration(tu_id);

-- Indirect call sites as found in the source, before resolution. `kcut analyze` rebuilds the
-- call rows with kind = 'indirect' from this table after every run (the slot stores and
-- address-taken functions of every TU are known only then).
--   slot     'struct.field' when the callee expression is a struct field (x->ops->ndo_open), or NULL
--   fn_type  canonical function type called, e.g. 'int (struct net_device *)'
--   expr     the callee expression text
CREATE TABLE IF NOT EXISTS icall (
	id          INTEGER PRIMARY KEY,
	caller_id   INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	slot        TEXT,
	fn_type     TEXT,
	expr        TEXT,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER,
	count       INTEGER NOT NULL DEFAULT 1,
	loop_depth  INTEGER NOT NULL DEFAULT 0,
	spin_held   INTEGER NOT NULL DEFAULT 0,
	locks_held  TEXT,
	macro       TEXT
);
CREATE INDEX IF NOT EXISTS icall_caller ON icall(caller_id);

CREATE TABLE IF NOT EXISTS global (
	id          INTEGER PRIMARY KEY,
	usr         TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	type        TEXT NOT NULL,
	is_driver   INTEGER NOT NULL DEFAULT 0,
	is_static   INTEGER NOT NULL DEFAULT 0,
	is_const    INTEGER NOT NULL DEFAULT 0,
	is_defined  INTEGER NOT NULL DEFAULT 0,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER
);

CREATE TABLE IF NOT EXISTS global_access (
	id        INTEGER PRIMARY KEY,
	func_id   INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	global_id INTEGER NOT NULL REFERENCES global(id) ON DELETE CASCADE,
	mode      TEXT NOT NULL CHECK (mode IN ('read', 'write', 'addr')),
	file_id   INTEGER REFERENCES file(id),
	line      INTEGER,
	col       INTEGER
);

-- Struct and union types (by tag, or by typedef name for anonymous ones).
-- module: '' except in a whole-tree database (`kcut analyze --module-map`), where a struct defined in
-- a driver file is keyed by (name, module of the TU that saw it): two modules' `struct foo_priv`
-- are two rows. Kernel structs (defined outside the --driver directories) keep module ''.
CREATE TABLE IF NOT EXISTS struct (
	id        INTEGER PRIMARY KEY,
	name      TEXT NOT NULL,
	module    TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL CHECK (kind IN ('struct', 'union')),
	size      INTEGER,                        -- bytes, NULL when incomplete
	is_driver INTEGER NOT NULL DEFAULT 0,     -- defined in a driver file
	file_id   INTEGER REFERENCES file(id),
	line      INTEGER,
	UNIQUE (name, module)
);

--   kind: 'scalar' | 'pointer' | 'array' | 'funcptr' | 'struct' | 'union' | 'bitfield' | 'enum'
--   target: for pointer/array/struct/union: the pointee / element / embedded struct or union name
CREATE TABLE IF NOT EXISTS field (
	id          INTEGER PRIMARY KEY,
	struct_id   INTEGER NOT NULL REFERENCES struct(id) ON DELETE CASCADE,
	idx         INTEGER NOT NULL,
	name        TEXT NOT NULL,                -- '' never; anonymous members get '<anon N>'
	type        TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('scalar', 'pointer', 'array', 'funcptr', 'struct',
	                                          'union', 'bitfield', 'enum')),
	offset_bits INTEGER,
	size        INTEGER,                      -- bytes
	array_count INTEGER,                      -- element count for 'array'
	bit_width   INTEGER,
	target      TEXT,
	UNIQUE (struct_id, name)
);

-- Field accesses through pointers or values, per function.
--   mode      'read' | 'write' | 'addr'  (x->f = ..: write; x->f += ..: read and write (two rows);
--             x->f++: read and write; &x->f passed on: addr)
--   root_kind 'param' (root_idx = parameter index) | 'local' | 'global' | 'call' | 'other'
--   path      the access path text from the root, e.g. 'adapter->hw.hw_addr'
--   via       'offsetof': the function uses a driver table (root_kind 'global', root_name = the table)
--             whose initializer names the field with offsetof(struct S, a.b); the function may read the
--             field through base + offset (ethtool stats tables). path = 'offsetof(struct S, a.b)'; every
--             step of a nested member path is a row (S.a and the embedded struct's b). mode 'read'.
CREATE TABLE IF NOT EXISTS field_access (
	id          INTEGER PRIMARY KEY,
	func_id     INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	struct_name TEXT NOT NULL,
	field       TEXT NOT NULL,
	mode        TEXT NOT NULL CHECK (mode IN ('read', 'write', 'addr')),
	root_kind   TEXT NOT NULL CHECK (root_kind IN ('param', 'local', 'global', 'call', 'other')),
	root_idx    INTEGER,
	root_name   TEXT,
	path        TEXT,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER,
	via         TEXT CHECK (via IN ('offsetof'))  -- NULL, or 'offsetof' (see above)
);
CREATE INDEX IF NOT EXISTS field_access_func ON field_access(func_id);
CREATE INDEX IF NOT EXISTS field_access_field ON field_access(struct_name, field);

-- Field accesses made on a driver function's behalf by the kernel-header inline functions it calls
-- (netif_carrier_ok(dev) reads dev->state), followed through inline functions they call, up to 8
-- levels. Kept apart from field_access (what the function's own code does): a consumer that wants
-- everything the function may touch when it runs (the emitter's marshaling) unions the two.
-- Each inline definition is walked once per driver function.
--   inline_name  the inline function the driver function calls (the outermost one)
--   path         the access path in the inline's code, e.g. 'dev->state'
--   file_id, line, col: the driver's call site
CREATE TABLE IF NOT EXISTS inline_access (
	id          INTEGER PRIMARY KEY,
	func_id     INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	inline_name TEXT NOT NULL,
	struct_name TEXT NOT NULL,
	field       TEXT NOT NULL,
	mode        TEXT NOT NULL CHECK (mode IN ('read', 'write', 'addr')),
	path        TEXT,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER
);
CREATE INDEX IF NOT EXISTS inline_access_func ON inline_access(func_id);

-- Allocation sites.
--   size_expr / count_expr: source text of the size and element count arguments
--   elem_type: type of sizeof(...) operand when recognisable, else NULL
--   store_kind 'field' (store_struct.store_field) | 'var' (store_var) | 'return' | 'other'
--   kind       'mem' (kmalloc & co., skbs, pages, netdevs) | 'dma' (DMA-coherent memory: dma_alloc_coherent,
--              dmam_alloc_coherent, dma_pool_alloc ...) | 'mmio' (register memory: ioremap, pci_iomap,
--              pci_ioremap_bar, devm_ioremap*, pcim_iomap_table ...)
CREATE TABLE IF NOT EXISTS alloc (
	id           INTEGER PRIMARY KEY,
	func_id      INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	allocator    TEXT NOT NULL,
	size_expr    TEXT,
	count_expr   TEXT,
	elem_type    TEXT,
	store_kind   TEXT NOT NULL CHECK (store_kind IN ('field', 'var', 'return', 'other')),
	store_struct TEXT,
	store_field  TEXT,
	store_var    TEXT,
	file_id      INTEGER REFERENCES file(id),
	line         INTEGER,
	col          INTEGER,
	kind         TEXT NOT NULL DEFAULT 'mem' CHECK (kind IN ('mem', 'dma', 'mmio'))
);
CREATE INDEX IF NOT EXISTS alloc_func ON alloc(func_id);

-- Lock and unlock calls. lock_kind: 'spin' | 'rwlock' | 'mutex' | 'sem' | 'rcu' | 'other';
-- op: 'lock' | 'unlock' | 'trylock'; irqsave: the irqsave/irq/bh variant.
CREATE TABLE IF NOT EXISTS lock_op (
	id        INTEGER PRIMARY KEY,
	func_id   INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	op        TEXT NOT NULL CHECK (op IN ('lock', 'unlock', 'trylock')),
	api       TEXT NOT NULL,
	lock_kind TEXT NOT NULL CHECK (lock_kind IN ('spin', 'rwlock', 'mutex', 'sem', 'rcu', 'other')),
	lock_expr TEXT,
	irq       TEXT CHECK (irq IN ('irqsave', 'irq', 'bh')),
	file_id   INTEGER REFERENCES file(id),
	line      INTEGER,
	col       INTEGER
);

-- Evidence about the shape a pointer field has (used by the emitter's marshaling).
--   evidence 'index' | 'ptr_arith' | 'string_fn' | 'list_head' | 'next_traversal' | 'deref' | 'cast'
--   'opaque' is derived: a void * field with no 'deref' / 'cast' evidence anywhere.
CREATE TABLE IF NOT EXISTS shape_evidence (
	id          INTEGER PRIMARY KEY,
	struct_name TEXT NOT NULL,
	field       TEXT NOT NULL,
	evidence    TEXT NOT NULL CHECK (evidence IN ('index', 'ptr_arith', 'string_fn', 'list_head',
	                                              'next_traversal', 'deref', 'cast')),
	detail      TEXT,
	func_id     INTEGER REFERENCES func(id) ON DELETE CASCADE,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER
);
CREATE INDEX IF NOT EXISTS shape_evidence_func ON shape_evidence(func_id);

-- How pointer values move, for the partitioner's rule on memory only the kernel can use (a buffer
-- the driver maps for streaming DMA, an skb's data; docs/partitioner.md "Kernel-only memory"):
--   kind 'arg'    the value of pointer field struct_name.field is argument arg_idx of a direct call to
--                 callee_id (macro: the macro the call came from), either itself or cast / offset
--                 (skb->data + off), or through a local of the same function that is assigned from the
--                 field or stored into it (data = alloc(); map(dev, data); bi->rxbuf.data = data)
--   kind 'param'  the function dereferences, indexes or offsets its pointer parameter arg_idx (a pointer
--                 to non-struct memory: u8 *data); detail: deref | index | ptr_arith (first site of each)
CREATE TABLE IF NOT EXISTS ptr_flow (
	id          INTEGER PRIMARY KEY,
	func_id     INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	kind        TEXT NOT NULL CHECK (kind IN ('arg', 'param')),
	struct_name TEXT,
	field       TEXT,
	callee_id   INTEGER REFERENCES func(id) ON DELETE CASCADE,
	macro       TEXT,
	arg_idx     INTEGER NOT NULL,
	detail      TEXT,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER
);
CREATE INDEX IF NOT EXISTS ptr_flow_func ON ptr_flow(func_id);
CREATE INDEX IF NOT EXISTS ptr_flow_callee ON ptr_flow(callee_id);

-- Loops in driver functions, for the partitioner's cost model (a call in a loop runs once per trip;
-- docs/partitioner.md "Loop trip counts"). One row per loop statement the walk entered, nested ones
-- included; a call site lies in the loops of its function whose [line:col, end_line:end_col] range
-- (same file) contains it (call.loop_depth counts them).
--   kind        'for' | 'while' | 'do' | 'once' (do { ... } while (0), as macros write it: runs once)
--   depth       1 for an outermost loop, as call.loop_depth counts
--   bound_kind  'const'  trips is the trip count (for (i = A; i < B; i += S) with constant B;
--                        A taken as 0 when not a constant: then an upper bound)
--               'field'  the bound is a struct field (i < ring->count): bound_struct.bound_field
--               'expr'   any other bound (a variable, a call, a macro loop such as list_for_each_entry:
--                        bound_expr is its text or the macro's name)
--               'none'   no bound (for (;;), while (1)): it ends by a break, return or goto
--   early_exit  1 if a break (of this loop) or a return in its body can leave it before the bound (a poll,
--               a search); a goto out of it is taken as the error path (kernel style) and does not count
CREATE TABLE IF NOT EXISTS loop (
	id           INTEGER PRIMARY KEY,
	func_id      INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL CHECK (kind IN ('for', 'while', 'do', 'once')),
	depth        INTEGER NOT NULL,
	file_id      INTEGER REFERENCES file(id),
	line         INTEGER,
	col          INTEGER,
	end_line     INTEGER,
	end_col      INTEGER,
	bound_kind   TEXT NOT NULL CHECK (bound_kind IN ('const', 'field', 'expr', 'none')),
	trips        INTEGER,
	bound_struct TEXT,
	bound_field  TEXT,
	bound_expr   TEXT,
	early_exit   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS loop_func ON loop(func_id);

-- If-branches inside loops that leave them (their last statement is a return, a goto, or a break of the
-- innermost loop; kernel style: the error path): a call site in one runs at most once per run of the loops
-- it leaves, not once per trip (docs/partitioner.md "Loop trip counts").
--   leaves      the depth (as loop.depth counts) of the outermost loop it leaves: 1 for a return or a
--               goto, the innermost loop's depth for a break
CREATE TABLE IF NOT EXISTS loop_exit (
	id           INTEGER PRIMARY KEY,
	func_id      INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	leaves       INTEGER NOT NULL,
	file_id      INTEGER REFERENCES file(id),
	line         INTEGER,
	col          INTEGER,
	end_line     INTEGER,
	end_col      INTEGER
);
CREATE INDEX IF NOT EXISTS loop_exit_func ON loop_exit(func_id);

-- Integer constants a driver function stores into a field (ring->count = RING_DEFAULT, one row per
-- `=` store): a loop bounded by the field gets the largest as its trip estimate.
CREATE TABLE IF NOT EXISTS field_const (
	id          INTEGER PRIMARY KEY,
	func_id     INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	struct_name TEXT NOT NULL,
	field       TEXT NOT NULL,
	value       INTEGER NOT NULL,
	file_id     INTEGER REFERENCES file(id),
	line        INTEGER,
	col         INTEGER
);
CREATE INDEX IF NOT EXISTS field_const_field ON field_const(struct_name, field);

-- Call edges with names, for people and tests: caller, callee, kind, resolved_by, slot, site.
CREATE VIEW IF NOT EXISTS v_calls AS
	SELECT a.name AS caller, b.name AS callee, c.kind, c.resolved_by, c.slot, c.count, c.line,
	       c.loop_depth, c.spin_held, c.locks_held, c.macro, b.is_driver AS callee_is_driver
	FROM call c JOIN func a ON a.id = c.caller_id JOIN func b ON b.id = c.callee_id;

-- Kernel imports: functions the driver calls but does not define.
CREATE VIEW IF NOT EXISTS kernel_import AS
	SELECT f.id, f.name, f.signature, COUNT(c.id) AS n_sites
	FROM func f JOIN call c ON c.callee_id = f.id
	JOIN func caller ON caller.id = c.caller_id AND caller.is_driver = 1
	WHERE f.is_driver = 0
	GROUP BY f.id;

---------------------------------------------------------------------------------------------------
-- Partitioner: profiles and named partitions.

CREATE TABLE IF NOT EXISTS profile (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	format      TEXT NOT NULL CHECK (format IN ('instrument', 'ftrace')),
	source      TEXT,                          -- the imported file's path
	duration_s  REAL,                          -- length of the traced run, when known
	imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE IF NOT EXISTS profile_edge (
	profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
	caller_id  INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	callee_id  INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	count      INTEGER NOT NULL,
	PRIMARY KEY (profile_id, caller_id, callee_id)
);

CREATE TABLE IF NOT EXISTS partition (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	mode         TEXT NOT NULL CHECK (mode IN ('propagate', 'mincut')),
	params       TEXT NOT NULL,                -- JSON: alpha, beta, budget, solver, pins, profile, family
	family       TEXT,
	created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
	solve_ms     REAL,
	kernel_funcs INTEGER,
	kernel_loc   INTEGER,
	user_funcs   INTEGER,
	user_loc     INTEGER,
	cut_edges    INTEGER,
	cut_weight   REAL
);

--   side   'kernel' | 'user'
--   reason 'root' | 'atomic' | 'lock' | 'pin' | 'propagate' | 'cut' | 'default'
--   detail human-readable: the rule, chain or cost that decided the side
CREATE TABLE IF NOT EXISTS partition_func (
	partition_id INTEGER NOT NULL REFERENCES partition(id) ON DELETE CASCADE,
	func_id      INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	side         TEXT NOT NULL CHECK (side IN ('kernel', 'user')),
	reason       TEXT NOT NULL CHECK (reason IN ('root', 'atomic', 'lock', 'pin', 'propagate', 'cut',
	                                             'default')),
	detail       TEXT,
	PRIMARY KEY (partition_id, func_id)
);

-- Replicated functions (partitioner/replica.c): kernel-half functions (partition_func.side 'kernel')
-- called from both halves whose copy the user half runs too (small, pure register accessors and
-- the like); the emitter keeps their bodies in the user half, whose callers call them locally.
--   detail human-readable: what makes it replicable
CREATE TABLE IF NOT EXISTS partition_replica (
	partition_id INTEGER NOT NULL REFERENCES partition(id) ON DELETE CASCADE,
	func_id      INTEGER NOT NULL REFERENCES func(id) ON DELETE CASCADE,
	detail       TEXT,
	PRIMARY KEY (partition_id, func_id)
);

PRAGMA user_version = 2;
