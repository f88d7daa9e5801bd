/** mulberry32: a small seeded PRNG, so the same seed always builds the same network. */
export class Random {
  private state: number;

  constructor(seed: number | string) {
    this.state = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `count` distinct items, in a random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  }
}

function hashSeed(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  }
  return hash >>> 0;
}

/** Common Brazilian given names; surnames are invented (see `surname`), so no full name is real. */
const givenNames = [
  'Ana',
  'Maria',
  'Juliana',
  'Fernanda',
  'Patrícia',
  'Aline',
  'Camila',
  'Luciana',
  'Renata',
  'Cláudia',
  'Sandra',
  'Márcia',
  'Adriana',
  'Simone',
  'Daniela',
  'Tatiane',
  'Vanessa',
  'Letícia',
  'Bruna',
  'Raquel',
  'Elaine',
  'Cristina',
  'Débora',
  'Helena',
  'Beatriz',
  'José',
  'João',
  'Antônio',
  'Carlos',
  'Paulo',
  'Pedro',
  'Lucas',
  'Marcos',
  'Luiz',
  'Gabriel',
  'Rafael',
  'Daniel',
  'Marcelo',
  'Bruno',
  'Eduardo',
  'Felipe',
  'Rodrigo',
  'Fábio',
  'André',
  'Sérgio',
  'Ricardo',
  'Márcio',
  'Gustavo',
  'Leandro',
  'Thiago',
];
const surnameHeads = [
  'Val',
  'Cor',
  'Bar',
  'Dal',
  'Fer',
  'Gal',
  'Lin',
  'Mar',
  'Nor',
  'Pra',
  'Ros',
  'Sal',
  'Tor',
  'Ver',
  'Zam',
  'Bel',
  'Cas',
  'Mor',
  'Tav',
  'Quin',
];
const surnameTails = [
  'dorim',
  'velo',
  'anhão',
  'tenor',
  'quelme',
  'ibrás',
  'oteira',
  'ujão',
  'astrel',
  'endim',
  'ocaia',
  'uvial',
  'adinho',
  'erval',
  'imonte',
  'orato',
];

export function surname(random: Random): string {
  return `${random.pick(surnameHeads)}${random.pick(surnameTails)}`;
}

export function personName(random: Random): string {
  return `${random.pick(givenNames)} ${surname(random)} ${surname(random)}`;
}
