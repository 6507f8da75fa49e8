#!/usr/bin/env node
// The `packice` command: oclif finds the commands in dist/commands.
require('@oclif/core').execute({ dir: __dirname }).catch(require('@oclif/core/handle'));
