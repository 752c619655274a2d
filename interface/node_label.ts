/**
 * Adds `node="<id>"` to every sample of a Prometheus text exposition: a node of a cluster labels its own
 * metrics, so one Prometheus scraping every node (or scraping through the balancer) tells them apart.
 * Comment lines (`# HELP`, `# TYPE`) are left as they are.
 * @param text the exposition
 * @param node the node id (letters, digits, `. _ : -`: nothing to escape)
 */
export function labelNode(text: string, node: string): string {
  const label = `node="${node}"`;
  return text.replace(
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? /gm,
    (_sample, name: string, labels?: string) =>
      labels === undefined || labels === "{}" ? `${name}{${label}} ` : `${name}{${label},${labels.slice(1)} `,
  );
}
