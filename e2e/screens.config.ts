import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// scripts/screens: the gallery of every screen (e2e/screens/gallery.ts),
// against the same real server and fresh database as the browser tests.
// Not a test run: `npx playwright test` alone never picks this file up.
export default defineConfig({
  ...base,
  testDir: './screens',
  testMatch: 'gallery.ts',
  timeout: 300_000,
});
