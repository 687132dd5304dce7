const m = await import(process.cwd() + '/node_modules/libpg-query/wasm/index.js').catch(() => import('libpg-query'));
await m.loadModule();
for (const sql of process.argv.slice(2)) console.log(sql, '\n', JSON.stringify(m.parseSync(sql).stmts.map(s => s.stmt)));
