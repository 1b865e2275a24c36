import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance } from "axios";
import { connectTimeoutTransport } from "./connect-timeout-transport.js";

export interface HttpOptions {
  /** The platform's address, ending with "/". */
  host: string;
  token: string;
  connectTimeoutMs: number;
  /** The longest silence on a connected socket while a request or its answer is under way. */
  responseTimeoutMs: number;
}

export interface Http {
  axios: AxiosInstance;
  /** Closes the kept-alive sockets. */
  close(): void;
}

/** One axios instance per client. Statuses are not judged here: validateStatus accepts all of them. */
export function createHttp(options: HttpOptions): Http {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  const instance = axios.create({
    baseURL: options.host,
    headers: { "auth-token": options.token },
    // No redirects: with them, axios (follow-redirects) buffers every request body to be able to replay it.
    maxRedirects: 0,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    timeout: options.responseTimeoutMs,
    transport: connectTimeoutTransport(options.connectTimeoutMs),
    httpAgent,
    httpsAgent,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    // Answers are parsed and checked by the calls themselves.
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });
  return {
    axios: instance,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
