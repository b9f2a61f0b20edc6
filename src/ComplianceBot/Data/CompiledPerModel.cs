using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ComplianceBot.Data;

/// <summary>
/// One compiled query per EF model. EF binds a compiled query to the first model it runs against and refuses any
/// other, while each provider has its own model (SQLite converts instants to ticks); a test process runs hosts on
/// several providers. Models are cached for the life of the process, so this dictionary stays tiny.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConcurrentDictionary<IModel, TQuery> _byModel = new();

    public TQuery For(DbContext db) => _byModel.GetOrAdd(db.Model, _ => compile());
}
