/**
 * The caption (for screen readers) and the header row every data table of
 * the console has, so the tables stay alike and accessible in one place.
 */
export function TableHead({ caption, columns }: { caption: string; columns: string[] }) {
  return (
    <>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c}>{c}</th>
          ))}
        </tr>
      </thead>
    </>
  );
}
