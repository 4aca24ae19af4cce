/** AUTOTASK_API_HOSTS: how entries read, and which list applies when it is unset. */
import { describe, expect, it } from 'vitest';
import { apiHostRules, isAllowed, parseApiHosts } from '../../integrations/autotask/allowed-hosts.ts';
import { ConfigError, parseEnv } from '../../config/env.ts';

const allowed = (url: string, rules: ReturnType<typeof apiHostRules>) => isAllowed(new URL(url), rules);

describe('AUTOTASK_API_HOSTS', () => {
  it('defaults to https on *.autotask.net for Autotask’s own lookup', () => {
    const rules = apiHostRules('https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation');
    expect(allowed('https://webservices5.autotask.net/atservicesrest/', rules)).toBe(true);
    expect(allowed('https://webservices5.autotask.net:443/x', rules)).toBe(true);
    expect(allowed('http://webservices5.autotask.net/', rules)).toBe(false);
    expect(allowed('https://webservices5.autotask.net:8443/', rules)).toBe(false);
    expect(allowed('https://autotask.net.evil.example/', rules)).toBe(false);
    expect(allowed('https://evilautotask.net/', rules)).toBe(false);
    expect(allowed('http://169.254.169.254/', rules)).toBe(false);
  });

  it('allows only the lookup URL’s origin when the lookup is not Autotask’s (a simulator)', () => {
    const rules = apiHostRules('http://127.0.0.1:4100/atservicesrest/v1.0/zoneInformation');
    expect(allowed('http://127.0.0.1:4100/zone-1/atservicesrest/', rules)).toBe(true);
    expect(allowed('http://127.0.0.1:4101/', rules)).toBe(false);
    expect(allowed('https://webservices5.autotask.net/', rules)).toBe(false);
  });

  it('takes hosts, wildcards and origins, and refuses anything else at start-up', () => {
    const rules = parseApiHosts('*.autotask.net, api.example.com, http://127.0.0.1:4100');
    expect(allowed('https://api.example.com/', rules)).toBe(true);
    expect(allowed('http://api.example.com/', rules)).toBe(false);
    expect(allowed('http://127.0.0.1:4100/', rules)).toBe(true);
    expect(parseEnv({ AUTOTASK_API_HOSTS: '*.autotask.net' }).AUTOTASK_API_HOSTS).toBe('*.autotask.net');
    for (const bad of ['ftp://files.example', 'https://host/path', ' , ']) {
      expect(() => parseEnv({ AUTOTASK_API_HOSTS: bad }), bad).toThrow(ConfigError);
    }
  });
});
