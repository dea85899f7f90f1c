/**
 * How long the proxies take to notice an apiserver leaving or coming back, from their health-check
 * settings. kube-master uses it so that a rolling restart never leaves the proxies without an
 * apiserver: each apiserver reports not ready for this long before it stops serving
 * (--shutdown-delay-duration), and the next master restarts only once the proxies took the
 * restarted one back.
 */
export interface ProxyCheckSettings {
  readonly apiserver_proxy_check_interval: number;
  readonly apiserver_proxy_check_fall: number;
  readonly apiserver_proxy_check_rise: number;
}

/** Seconds until every proxy has taken an apiserver that turned not ready out (one interval of margin: checks are not aligned). */
export function proxyDrainSeconds(s: ProxyCheckSettings): number {
  return (s.apiserver_proxy_check_fall + 1) * s.apiserver_proxy_check_interval;
}

/** Seconds until every proxy has taken an apiserver that turned ready back. */
export function proxyReturnSeconds(s: ProxyCheckSettings): number {
  return (s.apiserver_proxy_check_rise + 1) * s.apiserver_proxy_check_interval;
}
