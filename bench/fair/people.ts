// The professionals of the fair benchmarks' records (server.ts seeds them), in a module of their
// own: server.ts starts its server when loaded, so the benchmark's process must not import it.

/** the depositing doctor, who sees every document of the records */
export const DOCTOR = { idNatPs: '810000000001', profession: '10', structureId: '1750000001', given: 'Alice', family: 'Martin' };
