import { z } from 'zod';

/**
 * Upstream's list conventions: `pagination[page]`, `pagination[limit]` (20, max 100), `sort[column]`,
 * `sort[direction]`, `filters[name]=value`, `search=`. Fastify's query parser keeps the bracketed names
 * as flat keys, so the schema names them literally.
 */
export const defaultPageSize = 20;
export const maxPageSize = 100;

const positiveInteger = (name: string) =>
  z.coerce
    .number({ message: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`);

export const listQuerySchema = z.object({
  'pagination[page]': positiveInteger('page').optional(),
  'pagination[limit]': positiveInteger('limit')
    .max(maxPageSize, `limit must be at most ${maxPageSize}`)
    .optional(),
  'sort[column]': z.string().max(100).optional(),
  'sort[direction]': z.enum(['asc', 'desc', 'ASC', 'DESC'], { message: 'must be asc or desc' }).optional(),
  search: z.string().max(200).optional(),
});

export type ListQueryInput = z.infer<typeof listQuerySchema>;

export interface ListQuery<Column extends string> {
  readonly page: number;
  readonly limit: number;
  readonly offset: number;
  readonly sortColumn: Column | undefined;
  readonly sortDirection: 'asc' | 'desc';
  readonly search: string | undefined;
}

/**
 * Normalises list query parameters. A sort column outside `sortable` is ignored (upstream does the same),
 * so a client can never sort on an arbitrary expression.
 */
export function parseListQuery<Column extends string>(
  input: ListQueryInput,
  sortable: readonly Column[],
): ListQuery<Column> {
  const page = input['pagination[page]'] ?? 1;
  const limit = input['pagination[limit]'] ?? defaultPageSize;
  const column = input['sort[column]'];
  const search = input.search?.trim();
  return {
    page,
    limit,
    offset: (page - 1) * limit,
    sortColumn: sortable.includes(column as Column) ? (column as Column) : undefined,
    sortDirection: input['sort[direction]']?.toLowerCase() === 'desc' ? 'desc' : 'asc',
    search: search ? search : undefined,
  };
}

export interface Page<T> {
  data: T[];
  pagination: { totalPages: number; totalItems: number; currentPage: number; itemsPerPage: number };
}

export function toPage<T>(data: T[], totalItems: number, query: ListQuery<string>): Page<T> {
  return {
    data,
    pagination: {
      totalPages: Math.ceil(totalItems / query.limit),
      totalItems,
      currentPage: query.page,
      itemsPerPage: query.limit,
    },
  };
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    pagination: z.object({
      totalPages: z.number().int(),
      totalItems: z.number().int(),
      currentPage: z.number().int(),
      itemsPerPage: z.number().int(),
    }),
  });
}

/** Escapes `%`, `_` and `\` for a LIKE pattern that matches `value` anywhere. */
export function likeContains(value: string): string {
  return `%${value.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
