import { allPages, type AwsCall } from './aws-call.js';

/** One call of the bundle: what was asked and every page AWS answered, as returned. */
export interface RecordedCall<Request, Response> extends AwsCall {
  readonly request: Request;
  readonly pages: Response[];
}

/** Sends a paginated request until the last page and keeps the request and every page. */
export async function recordPages<Request extends object, Response>(
  target: AwsCall,
  request: Request,
  send: (request: Request) => Promise<Response>,
  tokenField: { readonly request: string; readonly response: string },
): Promise<RecordedCall<Request, Response>> {
  const pages = await allPages(
    target,
    (token) => send(token === undefined ? request : { ...request, [tokenField.request]: token }),
    (page) => {
      const token = (page as Record<string, unknown>)[tokenField.response];
      return typeof token === 'string' ? token : undefined;
    },
  );
  return { ...target, request, pages };
}

/** The `NextToken` pair most AWS APIs use. */
export const NEXT_TOKEN = { request: 'NextToken', response: 'NextToken' } as const;

/** The items of every page, in order. */
export function itemsOf<Response, Item>(
  recorded: { readonly pages: readonly Response[] },
  items: (page: Response) => readonly Item[] | undefined,
): Item[] {
  return recorded.pages.flatMap((page) => items(page) ?? []);
}
