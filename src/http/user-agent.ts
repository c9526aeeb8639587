/**
 * How Threadcast names itself to the servers it calls. In a module of its own so that code which only names it
 * (a feed read from a file, in `preview`) does not load the HTTP client with it.
 */
export const DEFAULT_USER_AGENT = 'Threadcast/0.1 (+https://github.com/threadcast)';
