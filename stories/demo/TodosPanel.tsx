import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/v4/mini';
import { AuthError, authKeys, useAuthFetch } from '../../src';
import { ErrorNote } from './ErrorNote';

const todosSchema = z.object({
  todos: z.array(z.object({ id: z.number(), todo: z.string(), completed: z.boolean() })),
});

type Todo = z.infer<typeof todosSchema>['todos'][number];

/** GET /api/todos through `useAuthFetch`, when the button asks: the app's own API, with the bearer token attached. */
export function TodosPanel() {
  const authFetch = useAuthFetch();
  const todos = useQuery<Todo[], AuthError>({
    queryKey: authKeys.user('todos'),
    queryFn: async () => {
      const response = await authFetch('/api/todos');
      if (!response.ok) throw new AuthError('auth/http', { status: response.status, detail: 'GET /api/todos' });
      const parsed = todosSchema.safeParse(await response.json());
      if (!parsed.success) throw new AuthError('auth/invalid_response', { detail: 'GET /api/todos' });
      return parsed.data.todos;
    },
    // Nothing is fetched until the button is pressed: the first token is asked for then.
    enabled: false,
  });

  return (
    <section className="card" aria-label="Todos">
      <h2>
        Your todos <span className="endpoint">GET /api/todos</span>
      </h2>
      <button type="button" className="primary" onClick={() => void todos.refetch()} disabled={todos.isFetching}>
        {todos.isFetching ? (
          <>
            <span className="spinner" aria-hidden /> Calling…
          </>
        ) : (
          'Call the API'
        )}
      </button>
      {todos.isError && <ErrorNote title="The API call failed" error={todos.error} />}
      {todos.data && (
        <ul aria-label="Todo list">
          {todos.data.map((todo) => (
            <li key={todo.id}>
              {todo.completed ? '☑' : '☐'} {todo.todo}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
