import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import * as graphileMigrate from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { migrationSettings } from '../../server/database/migrations.ts';
import { startTestApp, type RunningApp } from '../helpers/app.ts';
import { endTestPools, getRootPool, testDatabase } from '../helpers/db.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';

afterAll(endTestPools);

describe('GET /healthz and /readyz', () => {
  let app: RunningApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await startTcpProxy(testDatabase.ownerUrl());
    app = await startTestApp({}, { ownerUrl: proxy.via(testDatabase.ownerUrl()), authUrl: proxy.via(testDatabase.authUrl()) });
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
  });

  it('says the process is alive and the database ready with every migration applied', async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('answers 503 with the reason while the database is unreachable, and recovers when it is back', async () => {
    await proxy.cut();
    const down = await fetch(`${app.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^database unreachable: /) });
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);

    await proxy.restore();
    const up = await fetch(`${app.url}/readyz`);
    expect(up.status).toBe(200);
  });
});

describe('GET /readyz on a database behind the code', () => {
  const database = `${testDatabase.name()}_behind`;
  let app: RunningApp;

  beforeAll(async () => {
    await getRootPool().query(`create database ${database} owner ${new URL(testDatabase.ownerUrl()).username}`);
    await getRootPool().query(`grant connect on database ${database} to ${new URL(testDatabase.authUrl()).username}`);
    const withDatabase = (url: string) => Object.assign(new URL(url), { pathname: `/${database}` }).toString();
    const urls = { ownerUrl: withDatabase(testDatabase.ownerUrl()), authUrl: withDatabase(testDatabase.authUrl()), rootUrl: testDatabase.rootUrl() };
    await graphileMigrate.migrate(migrationSettings(urls, () => undefined));
    clearAllPools();
    // Forget the newest migration, as if the code had moved on without the database.
    const owner = new pg.Client({ connectionString: urls.ownerUrl });
    await owner.connect();
    await owner.query(`delete from graphile_migrate.migrations where filename = (select max(filename) from graphile_migrate.migrations)`);
    await owner.end();
    app = await startTestApp({}, urls);
  });
  afterAll(async () => {
    await app.close();
    await getRootPool().query(`drop database if exists ${database} with (force)`);
  });

  it('answers 503 naming the migrations not applied', async () => {
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^1 migration\(s\) not applied: \d{6}/) });
  });
});
