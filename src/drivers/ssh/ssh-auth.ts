// Which credentials the SSH driver offers: the configured key file and the ssh-agent; a default key from ~/.ssh
// only when neither is given, so a host set up for plain `ssh` works without extra configuration.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SplitbenchError, messageOf } from '../../errors.js';
import type { SshDriverOptions } from './ssh-options.js';

/** The authentication part of a connect configuration (ssh2's ConnectConfig accepts it as is). */
export interface SshAuth {
    privateKey?: Buffer;
    passphrase?: string;
    agent?: string;
}

/**
 * Reads the key file now, so a bad path fails before any network traffic.
 * @throws SplitbenchError CONFIG_INVALID when the key file cannot be read, or when there is neither a key nor an agent.
 */
export const sshAuth = (opts: Pick<SshDriverOptions, 'name' | 'identityFile' | 'passphrase' | 'agent'>): SshAuth => {
    const cfg: SshAuth = {};
    const agent = opts.agent === false ? undefined : (opts.agent ?? process.env['SSH_AUTH_SOCK']);
    let keyFile = opts.identityFile;
    if (keyFile === undefined && agent === undefined) {
        keyFile = ['id_ed25519', 'id_ecdsa', 'id_rsa']
            .map((f) => join(homedir(), '.ssh', f))
            .find((f) => {
                try {
                    readFileSync(f);
                    return true;
                } catch {
                    return false;
                }
            });
    }
    if (keyFile !== undefined) {
        try {
            cfg.privateKey = readFileSync(keyFile);
        } catch (e) {
            throw new SplitbenchError(
                'CONFIG_INVALID',
                `device ${opts.name}: identity file ${keyFile} cannot be read (${messageOf(e)})`,
                { cause: e },
            );
        }
    }
    if (opts.passphrase !== undefined) cfg.passphrase = opts.passphrase;
    if (agent !== undefined) cfg.agent = agent;
    if (cfg.privateKey === undefined && cfg.agent === undefined) {
        throw new SplitbenchError(
            'CONFIG_INVALID',
            `device ${opts.name}: no SSH key: none of ~/.ssh/id_ed25519, id_ecdsa, id_rsa exists and no ssh-agent runs; ` +
                `give a key with --identity FILE (splitbench devices add ${opts.name} --ssh USER@HOST --identity FILE, ` +
                `or identity: FILE under ssh: in the device file) or start ssh-agent (SSH_AUTH_SOCK)`,
        );
    }
    return cfg;
};
