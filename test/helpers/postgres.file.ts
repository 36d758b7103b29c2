// Each test file of the PostgreSQL project closes the connections of its test databases at its end.

import { afterAll } from 'vitest';
import { closeTestDatabases } from '../../src/db/connection.ts';

afterAll(() => closeTestDatabases());
