/** Reports of jobs and sweeps, served through pre-signed links. */
export { reportRoutes } from "./report-routes.js";
export { presign, signReport, verifyPresigned, type SignedLink } from "./presign.js";
export { reportLink, type ReportLink } from "./report-link.js";
