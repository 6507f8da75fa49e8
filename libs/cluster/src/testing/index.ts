/**
 * Test helpers for catalog libs: `@packice/cluster/testing`, the shared Catalog contract suite.
 * Needs Jest (`@jest/globals`) at run time; never import it from production code.
 */
export { catalogObject, describeCatalog } from './describe-catalog';
