import { searchText } from '../common/text';
import { code } from '../imports/import.cells';
import { codeColumn, entityKind, ruled } from '../imports/import.columns';
import { personTarget, personWrites } from './person.write';

export const peopleKind = entityKind({
  name: 'people',
  description: 'people: code, name (nome), email, phone (telefone)',
  target: personTarget,
  refs: [],
  columns: [
    codeColumn,
    { field: 'name', aliases: ['name', 'nome', 'nomecompleto', 'fullname'], required: true },
    { field: 'email', aliases: ['email', 'mail', 'correioeletronico'] },
    { field: 'phone', aliases: ['phone', 'telefone', 'fone', 'celular', 'whatsapp'] },
  ],
  readRow(reader) {
    const personCode = reader.required('code', code(50));
    const name = reader.required('name', ruled(personWrites, 'name'));
    const mail = reader.optional('email', ruled(personWrites, 'email'));
    const phone = reader.optional('phone', ruled(personWrites, 'phone'));
    if (!personCode || !name) {
      return null;
    }
    return { code: personCode, name, nameSearch: searchText(name), email: mail, phone };
  },
});
