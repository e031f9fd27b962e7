// What `carnet <command> --help` prints. Kept apart from the commands so that help needs neither
// the configuration nor the command's code (maintenance and conformance print their own).

export const USAGE = {
  serve: `usage: carnet serve
  Serves the FHIR door (/fhir), the XDS door (/xds), /auth and /health. Configured by environment
  variables only (README, "Configuration"); stops cleanly on SIGTERM / SIGINT.`,
  migrate: `usage: carnet migrate
  Applies the pending database migrations (serve applies them too) and prints the schema version.`,
  seed: `usage: carnet seed
  Loads the demo record (INS 2800575123456, four documents) and professionals of several
  professions; prints the record's Patient id and the demo patient's web login with a temporary
  password (a second run keeps the record and issues a new temporary password).`,
  token: `usage: carnet token <kind> [options]        (CARNET_DEV_MODE=true only)
  carnet token professional --id <IdNat_PS> --profession <TRE_G15 code> [--specialty SM26] [--structure <IdNat_Struct>]
                            [--sector SA01] [--mode normal|bris_de_glace|centre_15] [--given G] [--family F] [--on-patient-request]
                            [--person-id '<INS>^^^&<OID>&ISO']   (binds the token to that one patient)
  carnet token patient --patient-key <uuid>
  carnet token representative --patient-key <uuid> --representative <uuid>
  carnet token support --id <agent id>
  carnet token insurer --id <IdNat_Struct>     (the insurer's feed: deposits reimbursement data only)
options: --ttl <seconds> (default 3600)
Prints a bearer token signed by the server's own key, accepted by a server in development mode.`,
  vihf: `usage: carnet vihf --id <IdNat_PS> --profession <TRE_G15 code> --structure <IdNat_Struct> (--ins <INS-NIR> | --patient <CX>) [options]
                                                                      (CARNET_DEV_MODE=true only)
  --specialty <code>     savoir-faire (TRE_R01), required by the DMP for médecins, e.g. SM26
  --sector <code^oid>    activity sector, e.g. SA01^1.2.250.1.71.4.2.4
  --mode <mode>          normal (default) | bris_de_glace | centre_15
  --given G --family F   the professional's name (default: "Dev Carnet")
  --ins <NIR>            the patient's INS-NIR (system 1.2.250.1.213.1.4.8), or
  --patient <CX>         the patient as CX, e.g. 2800575123456^^^&1.2.250.1.213.1.4.8&ISO
  --ttl <seconds>        validity (default 3600)
  --audience <URI>       the SAML Audience (default: CARNET_VIHF_AUDIENCE when set)
  --assertion            print the saml2:Assertion alone instead of the wsse:Security header
  --key <PEM> --cert <PEM>  sign with this pair (default: the TEST-ONLY signer that a server in
                         development mode trusts when CARNET_VIHF_TRUSTED_CERTS is not set)
Prints a signed VIHF (SAML 2.0) assertion in a wsse:Security element, on one line, to put in the
SOAP header of an XDS request (docs/XDS.md).`,
  trace: `usage: carnet trace verify
  Checks the hash chains of every record's access trace and of the server's security log; exit
  status 1 names the first broken row.`,
  outbox: `usage: carnet outbox [--to <address>]        (CARNET_DEV_MODE=true only)
  The last 20 messages of the outbox (one-time codes, alerts) when no mail server or SMS gateway is set.`,
  jobs: `usage: carnet jobs run
  Runs the scheduled jobs once: outbox, majority notices, purge of closed records, pruning.`,
} as const;
