#!/usr/bin/env node
// `bearing` executable: runs the TypeScript CLI through tsx's loader, so `npx bearing …` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
