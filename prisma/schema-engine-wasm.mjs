#!/usr/bin/env node
// Drop-in replacement for Prisma's native `schema-engine` binary, backed by the
// official WASM build (@prisma/schema-engine-wasm, same engine commit as the CLI)
// plus a JS driver adapter (pg for real Postgres, PGlite for embedded).
// prisma.config.ts points the Prisma CLI at it through PRISMA_SCHEMA_ENGINE_BINARY.
//
// Protocol (as spoken by prisma/build/cli.js SchemaEngineCLI):
//   schema-engine --version
//   schema-engine --datasource '{"url":...}' cli can-connect-to-database|create-database|drop-database
//   schema-engine [--datamodels FILE]... [--datasource JSON] ...  -> JSON-RPC 2.0, one message per line on stdin/stdout
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const ENGINE_PKG = '@prisma/schema-engine-wasm'

// ---------- argv ----------
const argv = process.argv.slice(2)
const opts = { datamodels: [], datasource: undefined, cli: undefined, version: false }
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]
  if (a === '--version' || a === '-V') opts.version = true
  else if (a === '--datamodels') opts.datamodels.push(argv[++i])
  else if (a === '--datasource') opts.datasource = JSON.parse(argv[++i])
  else if (a === '--enabled-preview-features' || a === '--extension-types') i++
  else if (a === 'cli') { opts.cli = argv[++i]; break }
}

const log = (level, message, extra = {}) =>
  process.stderr.write(JSON.stringify({ level, target: 'schema_engine::logger', fields: { message, ...extra } }) + '\n')

if (opts.version) {
  const v = JSON.parse(fs.readFileSync(new URL('../node_modules/@prisma/engines-version/package.json', import.meta.url)))
  process.stdout.write(`schema-engine-cli ${v.prisma?.enginesVersion ?? 'wasm'} (wasm shim)\n`)
  process.exit(0)
}

// ---------- adapter selection ----------
// postgres://... or postgresql://...  -> @prisma/adapter-pg
// pglite:<dir> | pglite:memory       -> PGlite (embedded), dir resolved relative to cwd
function parseTarget(url) {
  if (!url) throw new Error('No datasource url given to schema engine (set datasource.url in prisma.config.ts)')
  if (url.startsWith('pglite:')) {
    const loc = url.slice('pglite:'.length).replace(/^\/\//, '')
    return { kind: 'pglite', dataDir: loc === '' || loc === 'memory' ? 'memory://' : path.resolve(loc) }
  }
  return { kind: 'pg', url }
}

async function makeFactory(target, shadowDatabaseUrl) {
  if (target.kind === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite')
    const { PrismaPGlite } = await import('pglite-prisma-adapter')
    if (target.dataDir !== 'memory://') fs.mkdirSync(path.dirname(target.dataDir), { recursive: true })
    const client = new PGlite(target.dataDir)
    await client.waitReady
    const factory = process.env.SHIM_NO_PGLITE_FIX ? new PrismaPGlite(client) : fixPgliteFactory(new PrismaPGlite(client))
    factory.__close = () => client.close()
    return factory
  }
  // @prisma/adapter-pg 7.x cannot map the internal `"char"` type (OID 18, used by pg_catalog
  // columns like relkind/contype that the schema engine's describer reads) and throws
  // "Column type 'char' could not be deserialized". Report such columns as text (OID 25).
  const pg = (await import('pg')).default
  if (!pg.Result.prototype.__charPatched) {
    const addFields = pg.Result.prototype.addFields
    pg.Result.prototype.addFields = function (descs) {
      for (const d of descs) if (d.dataTypeID === 18) d.dataTypeID = 25
      return addFields.call(this, descs)
    }
    pg.Result.prototype.__charPatched = true
  }
  const { PrismaPg } = await import('@prisma/adapter-pg')
  const factory = new PrismaPg({ connectionString: target.url })
  if (shadowDatabaseUrl) {
    const shadow = new PrismaPg({ connectionString: shadowDatabaseUrl })
    factory.connectToShadowDb = () => shadow.connect()
  } else {
    // adapter-pg's own connectToShadowDb() does `new Pool({ ...config, database: shadow })`, but
    // with a connectionString config pg lets the URL's database win, so the "shadow" silently
    // is the MAIN database. Do it properly: CREATE DATABASE, connect to it by URL, DROP on dispose.
    factory.connectToShadowDb = async () => {
      const admin = await factory.connect()
      const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`
      await admin.executeScript(`CREATE DATABASE "${name}"`)
      const u = new URL(target.url)
      u.pathname = '/' + name
      const shadow = await new PrismaPg({ connectionString: u.toString() }).connect()
      const dispose = shadow.dispose.bind(shadow)
      shadow.dispose = async () => {
        await dispose()
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`)
        await admin.dispose()
      }
      return shadow
    }
  }
  return factory
}

// pglite-prisma-adapter 0.7.2 does not await PGlite.exec() in executeScript(), so a failing
// migration script would be reported as success. Wrap it.
function fixPgliteFactory(factory) {
  const wrap = (adapterPromise) =>
    adapterPromise.then((adapter) => {
      adapter.executeScript = async (script) => {
        try { await adapter.client.exec(script) } catch (e) { adapter.onError(e) }
      }
      return adapter
    })
  const connect = factory.connect.bind(factory)
  const connectShadow = factory.connectToShadowDb.bind(factory)
  factory.connect = () => wrap(connect())
  factory.connectToShadowDb = () => wrap(connectShadow())
  return factory
}

// ---------- one-shot `cli` subcommands ----------
async function runCliCommand(cmd) {
  const target = parseTarget(opts.datasource?.url)
  const errLine = (code, message) => {
    process.stderr.write('schema-engine-wasm\n') // the CLI skips the first stderr line
    log('ERROR', message, { error_code: code })
  }
  if (target.kind === 'pglite') {
    // A PGlite data dir is created on first open: it always "exists".
    if (cmd === 'drop-database' && target.dataDir !== 'memory://') fs.rmSync(target.dataDir, { recursive: true, force: true })
    return 0
  }
  const pg = (await import('pg')).default
  const u = new URL(target.url)
  const dbName = decodeURIComponent(u.pathname.slice(1)) || 'postgres'
  const tryConnect = async (url) => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    return c
  }
  try {
    if (cmd === 'can-connect-to-database') {
      const c = await tryConnect(target.url)
      await c.end()
      return 0
    }
    const admin = new URL(target.url)
    admin.pathname = '/postgres'
    const c = await tryConnect(admin.toString())
    const ident = '"' + dbName.replace(/"/g, '""') + '"'
    if (cmd === 'create-database') await c.query(`CREATE DATABASE ${ident}`)
    else if (cmd === 'drop-database') await c.query(`DROP DATABASE IF EXISTS ${ident}`)
    else throw new Error(`unknown cli command ${cmd}`)
    await c.end()
    return 0
  } catch (e) {
    if (e.code === '3D000') errLine('P1003', `Database \`${dbName}\` does not exist`)
    else if (e.code === '28P01' || e.code === '28000') errLine('P1000', `Authentication failed: ${e.message}`)
    else if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND') errLine('P1001', `Can't reach database server at \`${u.host}\``)
    else errLine('P1000', e.message)
    return 1
  }
}

// ---------- WASM engine ----------
async function loadEngine(adapterFactory) {
  globalThis.PRISMA_WASM_PANIC_REGISTRY ??= { message: '', set_message(m) { this.message = `RuntimeError: ${m}` } }
  const runtime = await import(`${ENGINE_PKG}/schema_engine_bg`)
  const wasmPath = path.join(path.dirname(fileURLToPath(import.meta.resolve(`${ENGINE_PKG}/schema_engine_bg`))), 'schema_engine_bg.wasm')
  const mod = new WebAssembly.Module(fs.readFileSync(wasmPath))
  const instance = new WebAssembly.Instance(mod, { './schema_engine_bg.js': runtime })
  runtime.__wbg_set_wasm(instance.exports)
  instance.exports.__wbindgen_start()
  const { bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils')
  const bound = bindMigrationAwareSqlAdapterFactory(adapterFactory)
  const datamodels = opts.datamodels.length
    ? opts.datamodels.map((f) => [f, fs.readFileSync(path.resolve(f), 'utf8')])
    : undefined
  const debug = (m) => process.env.SCHEMA_ENGINE_WASM_DEBUG && log('DEBUG', String(m))
  const engine = await runtime.SchemaEngine.new({ datamodels }, debug, bound)
  return { engine, bound }
}

// JSON-RPC method name (native CLI protocol) -> wasm method name
const METHOD_MAP = { getDatabaseVersion: 'version', diff: 'diff' }

async function runRpc() {
  // Start answering stdin right away; if engine init fails, every request gets that error
  // (exiting early would leave the CLI waiting on a dead pipe and it then exits 0 silently).
  const ready = (async () => {
    const target = parseTarget(opts.datasource?.url)
    const factory = await makeFactory(target, opts.datasource?.shadowDatabaseUrl)
    const { engine, bound } = await loadEngine(factory)
    return { engine, bound, factory }
  })()
  ready.catch(() => {})
  let nextServerId = 1_000_000
  const send = (msg) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n')

  const toRpcError = (e) => {
    // driver-adapter errors are already rendered into the engine's message (e.g. "external connector error\nNo such table: Nope")
    const err = e
    const isPanic = e?.name === 'RuntimeError'
    const message = isPanic ? (globalThis.PRISMA_WASM_PANIC_REGISTRY.message || String(e)) : (err?.message ?? String(err))
    return {
      code: 4466,
      message: 'An error happened. Check the data field for details.',
      data: {
        is_panic: isPanic,
        message,
        error_code: typeof err?.code === 'string' && /^P\d{4}$/.test(err.code) ? err.code : undefined,
        meta: err?.meta,
      },
    }
  }

  let engine, bound
  async function handle(req) {
    const { id, method, params } = req
    try {
      ;({ engine, bound } = await ready)
      let result
      if (method === 'createDatabase') {
        result = { databaseName: 'pglite' }
      } else {
        const wasmMethod = METHOD_MAP[method] ?? method
        if (typeof engine[wasmMethod] !== 'function') throw new Error(`method ${method} not supported by the wasm schema engine`)
        if ((method === 'evaluateDataLoss' || method === 'createMigration') && params?.migrationsList) {
          // The wasm engine computes "schema from migration history" for these two commands only
          // from an in-process cache that devDiagnostic fills using the adapter's shadow DB; on a
          // cache miss it fails with "PostgreSQL shadow DB must be provided through an external
          // factory". Warm the cache for exactly this migrations list first.
          try {
            await engine.devDiagnostic({ migrationsList: params.migrationsList, filters: params.filters })
          } catch {}
        }
        result = await engine[wasmMethod](params ?? {})
        if (method === 'diff' && result && typeof result.stdout === 'string') {
          // native engine prints via a `print` request to the CLI
          send({ id: nextServerId++, method: 'print', params: { content: result.stdout.replace(/\n$/, '') } })
          result = { exitCode: result.exitCode }
        }
      }
      send({ id, result: result ?? {} })
    } catch (e) {
      send({ id, error: toRpcError(e) })
    }
  }

  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  let chain = Promise.resolve()
  rl.on('line', (line) => {
    if (!line.trim()) return
    const msg = JSON.parse(line)
    if (msg.method === undefined) return // reply to our `print` request
    chain = chain.then(() => handle(msg))
  })
  await new Promise((r) => rl.on('close', r))
  await chain
  const r = await ready.catch(() => null)
  try { r?.engine.free() } catch {}
  await r?.factory.__close?.()
}

try {
  if (opts.cli) process.exit(await runCliCommand(opts.cli))
  await runRpc()
  process.exit(0)
} catch (e) {
  log('ERROR', e?.stack ?? String(e))
  process.exit(1)
}
