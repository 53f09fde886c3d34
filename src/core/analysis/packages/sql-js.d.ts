/** sql.js ships no types; rpm-sqlite.ts describes the part it uses. */
declare module 'sql.js' {
  const initSqlJs: unknown;
  export default initSqlJs;
}
