using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ComplianceBot.Tests.Conversations;

/// <summary>
/// Records the SQL writes (INSERT/UPDATE/DELETE) a piece of code sends, so a test can prove a turn wrote nothing.
/// Only commands issued inside <see cref="Record"/> count; background services of the host are ignored.
/// </summary>
public sealed class WriteRecorder : DbCommandInterceptor
{
    private static readonly AsyncLocal<List<string>?> Current = new();

    /// <summary>Runs <paramref name="action"/> and returns the write statements it executed.</summary>
    public static async Task<IReadOnlyList<string>> Record(Func<Task> action)
    {
        var writes = new List<string>();
        Current.Value = writes;
        try
        {
            await action();
        }
        finally
        {
            Current.Value = null;
        }

        return writes;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Note(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Note(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Note(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Note(command);
        return ValueTask.FromResult(result);
    }

    private static void Note(DbCommand command)
    {
        var text = command.CommandText.TrimStart();
        if (Current.Value is { } writes && (text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)))
        {
            lock (writes)
            {
                writes.Add(text);
            }
        }
    }
}
